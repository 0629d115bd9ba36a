// verify on a scratch database of each backend, and check against a database and models.
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
  void write(const std::string& name, const char* text) {
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
};

TEST_P(Verify, PassesAGoodChainAndMatchesTheModels) {
  write_init_and_good();
  auto s = scripts();
  auto engine = scratch();
  auto model = models();
  auto result = autogen::verify(s, engine, &model);
  EXPECT_TRUE(result.ok()) << result.failure->describe();
  EXPECT_EQ(result.verified, (Lines{"aaaaaaaaaaa1", "aaaaaaaaaaa2"}));
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
