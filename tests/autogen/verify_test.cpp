// verify on a scratch database of each backend (straight histories, branches, merges,
// dependencies across branches, branch labels), and check against a database and models.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <strata/autogen/verify.hpp>
#include <strata/dialect/inspector.hpp>

#include "support/backends.hpp"

namespace strata::test {
namespace {

namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

const char* kInit = R"(revision: aaaaaaaaaaa1
down_revision: null
upgrade:
  - create_table:
      name: items
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: string(100), nullable: false}
downgrade:
  - drop_table: {name: items}
)";

const char* kGood = R"(revision: aaaaaaaaaaa2
down_revision: aaaaaaaaaaa1
upgrade:
  - add_column: {table: items, column: {name: qty, type: integer, index: true}}
  - alter_column: {table: items, name: title, type: text, server_default: "x"}
downgrade:
  - alter_column: {table: items, name: title, type: string(100), server_default: null}
  - drop_index: {name: ix_items_qty, table: items}
  - drop_column: {table: items, name: qty}
)";

// Its downgrade forgets the column it added.
const char* kForgetful = R"(revision: aaaaaaaaaaa3
down_revision: aaaaaaaaaaa2
upgrade:
  - add_column: {table: items, column: {name: extra, type: text}}
  - create_check_constraint: {name: title_set, table: items, condition: "title <> ''"}
downgrade:
  - drop_constraint: {name: ck_items_title_set, table: items, type: check}
)";

MetaData models() {
  MetaData md;
  md.add(Table("items", {Column("id", Type::biginteger()).primary_key(),
                         Column("title", Type::text()).not_null().default_value("x"),
                         Column("qty", Type::integer()).index()}));
  return md;
}

class Verify : public DatabaseTest {
 protected:
  void write(const std::string& name, const std::string& text) {
    fs::create_directories(dir() / "migrations" / "versions");
    std::ofstream(dir() / "migrations" / "versions" / name) << text;
  }
  migrate::ScriptDirectory scripts() {
    return migrate::ScriptDirectory::load(dir() / "migrations");
  }
  void write_init_and_good() {
    write("20260101_0000_aaaaaaaaaaa1_init.yaml", kInit);
    write("20260101_0001_aaaaaaaaaaa2_good.yaml", kGood);
  }
  // In-memory SQLite, or this test's fresh PostgreSQL schema.
  Engine scratch() { return is_sqlite() ? create_engine("sqlite://") : make_engine(); }

  // Revision `id` on `links` ("down_revision: x", plus "depends_on: [y]" and so on).
  void revision(const std::string& id, const std::string& links, const std::string& upgrade,
                const std::string& downgrade) {
    write("20260101_0000_" + id + "_r.yaml",
          "revision: " + id + "\n" + links + "\nupgrade:\n" + upgrade + "downgrade:\n" + downgrade);
  }
  // A revision that creates table `table` and drops it again.
  void table_revision(const std::string& id, const std::string& links, const std::string& table) {
    revision(id, links,
             "  - create_table: {name: " + table +
                 ", columns: [{name: id, type: integer, primary_key: true}]}\n",
             "  - drop_table: {name: " + table + "}\n");
  }
  // On init, two branches: the reports table and its title column; a column of items.
  void two_branches() {
    write("20260101_0000_aaaaaaaaaaa1_init.yaml", kInit);
    table_revision("aaaaaaaaaaa2", "down_revision: aaaaaaaaaaa1", "reports");
    revision("aaaaaaaaaaa3", "down_revision: aaaaaaaaaaa2",
             "  - add_column: {table: reports, column: {name: title, type: text}}\n",
             "  - drop_column: {table: reports, name: title}\n");
    revision("bbbbbbbbbbb1", "down_revision: aaaaaaaaaaa1",
             "  - add_column: {table: items, column: {name: qty, type: integer}}\n",
             "  - drop_column: {table: items, name: qty}\n");
  }
  // The steps verify took on `engine`: "aaaaaaaaaaa1 upgrade", ...
  static Lines steps(const Engine& engine) {
    Lines out;
    auto rows =
        engine.connect().execute("SELECT revision, direction FROM strata_history ORDER BY id");
    for (const auto& row : rows)
      out.push_back(row.get<std::string>(0) + " " + row.get<std::string>(1));
    return out;
  }
  static Lines heads(const Engine& engine, const migrate::ScriptDirectory& s) {
    auto out = migrate::Runner(engine, s).current();
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_P(Verify, PassesAGoodChainAndMatchesTheModels) {
  write_init_and_good();
  auto s = scripts();
  auto engine = scratch();
  auto model = models();
  auto result = autogen::verify(s, engine, &model);
  EXPECT_TRUE(result.ok()) << result.failure->describe();
  EXPECT_EQ(result.verified, (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2"}));
  // A straight history costs each revision one upgrade, one downgrade and one upgrade again.
  EXPECT_EQ(steps(engine).size(), 6u);
}

// Each branch is checked on its own parents: the reports table of the branch checked first
// is no difference of the other one.
TEST_P(Verify, TwoBranchesOffOneParent) {
  two_branches();
  auto s = scripts();
  auto engine = scratch();
  auto result = autogen::verify(s, engine);
  ASSERT_TRUE(result.ok()) << result.failure->describe();
  EXPECT_EQ(result.verified,
            (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2", "aaaaaaaaaaa3", "bbbbbbbbbbb1"}));
  EXPECT_EQ(heads(engine, s), (Lines{"aaaaaaaaaaa3", "bbbbbbbbbbb1"}));
  auto taken = steps(engine);
  // One branch followed to its end, then taken down once for the other, and up again at the end.
  EXPECT_EQ(taken.size(), 16u) << ::testing::PrintToString(taken);
  EXPECT_EQ(std::count(taken.begin(), taken.end(), "aaaaaaaaaaa3 downgrade"), 2);
}

TEST_P(Verify, TwoBranchesAndTheirMerge) {
  two_branches();
  revision("ccccccccccc1", "down_revision: [aaaaaaaaaaa3, bbbbbbbbbbb1]",
           "  - create_index: {name: ix_reports_title, table: reports, columns: [title]}\n",
           "  - drop_index: {name: ix_reports_title, table: reports}\n");
  auto s = scripts();
  auto engine = scratch();
  auto result = autogen::verify(s, engine);
  ASSERT_TRUE(result.ok()) << result.failure->describe();
  EXPECT_EQ(result.verified.back(), "ccccccccccc1");
  EXPECT_EQ(heads(engine, s), Lines{"ccccccccccc1"});
  EXPECT_TRUE(Inspector(engine).has_table("reports"));
}

// b1 depends on a2 of the other branch: b1's parents are init and a2, and a downgrade to init
// would take a2 down too.
TEST_P(Verify, DependsOnAcrossBranches) {
  write("20260101_0000_aaaaaaaaaaa1_init.yaml", kInit);
  table_revision("aaaaaaaaaaa2", "down_revision: aaaaaaaaaaa1", "reports");
  revision("bbbbbbbbbbb1", "down_revision: aaaaaaaaaaa1\ndepends_on: [aaaaaaaaaaa2]",
           "  - create_table:\n      name: report_notes\n      columns:\n"
           "        - {name: id, type: integer, primary_key: true}\n"
           "        - {name: report_id, type: integer, foreign_key: {references: reports.id}}\n",
           "  - drop_table: {name: report_notes}\n");
  table_revision("bbbbbbbbbbb2", "down_revision: bbbbbbbbbbb1", "notes_archive");
  auto s = scripts();
  auto engine = scratch();
  auto result = autogen::verify(s, engine);
  ASSERT_TRUE(result.ok()) << result.failure->describe();
  EXPECT_EQ(result.verified,
            (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2", "bbbbbbbbbbb1", "bbbbbbbbbbb2"}));
  EXPECT_EQ(heads(engine, s), Lines{"bbbbbbbbbbb2"});
}

// A labelled branch off init, a labelled second base, and a labelled revision that depends on
// the other branch (label@base reverts it alone).
TEST_P(Verify, BranchLabels) {
  write("20260101_0000_aaaaaaaaaaa1_init.yaml", kInit);
  table_revision("aaaaaaaaaaa2", "down_revision: aaaaaaaaaaa1\nbranch_labels: [reports]",
                 "reports");
  table_revision("bbbbbbbbbbb1",
                 "down_revision: aaaaaaaaaaa1\nbranch_labels: [notes]\ndepends_on: "
                 "[aaaaaaaaaaa2]",
                 "notes");
  table_revision("ddddddddddd1", "down_revision: null\nbranch_labels: [audit]", "audit_log");
  table_revision("ddddddddddd2", "down_revision: ddddddddddd1", "audit_rules");
  auto s = scripts();
  auto engine = scratch();
  auto result = autogen::verify(s, engine);
  ASSERT_TRUE(result.ok()) << result.failure->describe();
  EXPECT_EQ(result.verified.size(), 5u);
  EXPECT_EQ(heads(engine, s), (Lines{"bbbbbbbbbbb1", "ddddddddddd2"}));
  // bbbbbbbbbbb1 comes down alone (notes@base); the second base starts from an empty
  // database, and the end brings the first line back.
  EXPECT_EQ(steps(engine),
            (Lines{"aaaaaaaaaaa1 upgrade",   "aaaaaaaaaaa1 downgrade", "aaaaaaaaaaa1 upgrade",
                   "aaaaaaaaaaa2 upgrade",   "aaaaaaaaaaa2 downgrade", "aaaaaaaaaaa2 upgrade",
                   "bbbbbbbbbbb1 upgrade",   "bbbbbbbbbbb1 downgrade", "bbbbbbbbbbb1 upgrade",
                   "bbbbbbbbbbb1 downgrade", "aaaaaaaaaaa2 downgrade", "aaaaaaaaaaa1 downgrade",
                   "ddddddddddd1 upgrade",   "ddddddddddd1 downgrade", "ddddddddddd1 upgrade",
                   "ddddddddddd2 upgrade",   "ddddddddddd2 downgrade", "ddddddddddd2 upgrade",
                   "aaaaaaaaaaa1 upgrade",   "aaaaaaaaaaa2 upgrade",   "bbbbbbbbbbb1 upgrade"}));
  migrate::Runner(engine, s).downgrade("audit@base");
  EXPECT_FALSE(Inspector(engine).has_table("audit_log"));
  migrate::Runner(engine, s).upgrade("audit@head");
  EXPECT_TRUE(Inspector(engine).has_table("audit_rules"));
}

// The second branch's downgrade forgets a column; the first branch, applied before, is no
// part of the difference.
TEST_P(Verify, NamesTheBranchRevisionWhoseDowngradeIsWrong) {
  two_branches();
  revision("bbbbbbbbbbb2", "down_revision: bbbbbbbbbbb1",
           "  - add_column: {table: items, column: {name: extra, type: text}}\n"
           "  - create_index: {name: ix_items_qty, table: items, columns: [qty]}\n",
           "  - drop_index: {name: ix_items_qty, table: items}\n");
  auto s = scripts();
  auto engine = scratch();
  auto result = autogen::verify(s, engine);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.verified,
            (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2", "aaaaaaaaaaa3", "bbbbbbbbbbb1"}));
  EXPECT_EQ(result.failure->revision, "bbbbbbbbbbb2");
  EXPECT_EQ(result.failure->stage, "after downgrade");
  EXPECT_EQ(result.failure->differences, Lines{"remove column items.extra"});
  EXPECT_NE(result.failure->describe().find("bbbbbbbbbbb2_r.yaml): after downgrade the schema is "
                                            "not the one before: remove column items.extra"),
            std::string::npos)
      << result.failure->describe();
}

TEST_P(Verify, CatchesADowngradeThatForgetsAColumn) {
  write_init_and_good();
  write("20260101_0002_aaaaaaaaaaa3_forgetful.yaml", kForgetful);
  auto s = scripts();
  auto engine = scratch();
  auto result = autogen::verify(s, engine);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.verified, (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2"}));
  EXPECT_EQ(result.failure->revision, "aaaaaaaaaaa3");
  EXPECT_EQ(result.failure->stage, "after downgrade");
  EXPECT_EQ(result.failure->differences, Lines{"remove column items.extra"});
  EXPECT_NE(result.failure->describe().find("aaaaaaaaaaa3_forgetful.yaml): after downgrade the "
                                            "schema is not the one before: remove column "
                                            "items.extra"),
            std::string::npos)
      << result.failure->describe();
}

TEST_P(Verify, ReportsModelsThatDifferFromHeadAndRevisionsWithoutDowngrade) {
  write("20260101_0000_aaaaaaaaaaa1_init.yaml", kInit);
  auto s = scripts();
  auto engine = scratch();
  auto model = models();
  auto result = autogen::verify(s, engine, &model);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure->stage, "models");
  EXPECT_EQ(result.failure->differences, (Lines{"add column items.qty (integer)",
                                                "alter column items.title: type text, default 'x'",
                                                "add index ix_items_qty on items (qty)"}));

  write("20260101_0001_aaaaaaaaaaa2_oneway.yaml",
        "revision: aaaaaaaaaaa2\ndown_revision: aaaaaaaaaaa1\nupgrade: []\n");
  auto fresh = is_sqlite() ? create_engine("sqlite://") : make_engine();
  if (!is_sqlite()) {
    fresh.connect().execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  }
  auto s2 = scripts();
  auto oneway = autogen::verify(s2, fresh);
  ASSERT_FALSE(oneway.ok());
  EXPECT_EQ(oneway.failure->stage, "downgrade");
  EXPECT_NE(oneway.failure->differences.at(0).find("no `downgrade:` section"), std::string::npos);
}

TEST_P(Verify, ScratchDatabaseComesAndGoes) {
  write_init_and_good();
  auto s = scripts();
  std::string name;
  {
    autogen::ScratchDatabase scratch(Url::parse(url()));
    name = scratch.name();
    auto result = autogen::verify(s, scratch.engine());
    EXPECT_TRUE(result.ok()) << result.failure->describe();
    EXPECT_TRUE(Inspector(make_engine()).table_names().empty()) << "the real database is untouched";
  }
  if (!is_sqlite()) {
    auto left =
        make_engine().connect().execute("SELECT count(*) FROM pg_database WHERE datname = ?", name);
    EXPECT_EQ(left.scalar<int>(), 0);
  }
}

TEST_P(Verify, CheckListsPendingRevisionsAndDifferences) {
  write_init_and_good();
  auto s = scripts();
  auto engine = make_engine();
  auto model = models();
  auto before = autogen::check(engine, s, &model);
  EXPECT_FALSE(before.clean());
  EXPECT_TRUE(before.current.empty());
  EXPECT_EQ(before.pending, (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2"}));
  EXPECT_EQ(before.differences.describe(), Lines{"add table items"});
  EXPECT_NE(before.describe(s).at(0).find("pending revision aaaaaaaaaaa1"), std::string::npos);
  migrate::Runner(engine, s).upgrade("aaaaaaaaaaa1");
  auto middle = autogen::check(engine, s, &model);
  EXPECT_EQ(middle.current, Lines{"aaaaaaaaaaa1"});
  EXPECT_EQ(middle.pending, Lines{"aaaaaaaaaaa2"});
  migrate::Runner(engine, s).upgrade();
  auto after = autogen::check(engine, s, &model);
  EXPECT_TRUE(after.clean()) << ::testing::PrintToString(after.describe(s));
  EXPECT_TRUE(autogen::check(engine, s, nullptr).clean());
}

STRATA_ON_BOTH_BACKENDS(Verify);

}  // namespace
}  // namespace strata::test
