// Each lint rule fires on a minimal revision and is silenced by its ignore comment; lint goes
// on past revisions that work on objects the history never created (drift, `execute`).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <strata/autogen/lint.hpp>

#include "autogen/autogen_fixture.hpp"

namespace strata::autogen {
namespace {

using namespace strata::migrate;
namespace fs = std::filesystem;
using Lines = std::vector<std::string>;

SchemaState base_state() {
  Table items("items", {Column("id", Type::biginteger()).primary_key(),
                        Column("title", Type::string(100)), Column("qty", Type::integer())});
  NamingConvention{}.apply(items);
  SchemaState state;
  state.apply(CreateTable{items});
  return state;
}

// `downgrade` follows "downgrade:": " []\n", or "\n" and its lines.
std::string revision_text(const std::string& upgrade, bool transactional = true,
                          const std::string& downgrade = " []\n") {
  return std::string("revision: bbbbbbbbbbbb\ndown_revision: aaaaaaaaaaaa\nmessage: x\n") +
         "transactional: " + (transactional ? "true" : "false") + "\nupgrade:\n" + upgrade +
         "downgrade:" + downgrade;
}

std::vector<std::string> rules_of(const std::string& text, const LintOptions& options = {}) {
  Revision r = parse_revision(text, "x.yaml");
  std::vector<std::string> out;
  for (const auto& f : lint(r, base_state(), options, text)) out.push_back(f.rule);
  return out;
}

struct Case {
  std::string rule;
  std::string upgrade;
  bool transactional = true;
  LintOptions options = {};
  std::string downgrade = " []\n";
};

std::vector<Case> cases() {
  LintOptions large;
  large.row_counts = {{"items", 250'000}};
  large.dialects = {"sqlite"};  // PostgreSQL's own rule on NOT NULL has a case below
  LintOptions sqlite;           // a narrowing rewrites the table on PostgreSQL too
  sqlite.dialects = {"sqlite"};
  return {
      {"drop-table", "  - drop_table: {name: items}\n"},
      {"drop-column", "  - drop_column: {table: items, name: title}\n"},
      {"rename", "  - rename_table: {name: items, new_name: things}\n"},
      {"rename", "  - alter_column: {table: items, name: title, new_name: name}\n"},
      {"type-narrowing", "  - alter_column: {table: items, name: title, type: string(50)}\n", true,
       sqlite},
      {"type-narrowing", "  - alter_column: {table: items, name: qty, type: smallinteger}\n", true,
       sqlite},
      {"not-null-without-default",
       "  - add_column: {table: items, column: {name: n, type: text, nullable: false}}\n"},
      {"sqlite-rebuild-large-table",
       "  - alter_column: {table: items, name: qty, nullable: false}\n", true, large},
      {"pg-index-not-concurrent", "  - create_index: {name: ix_q, table: items, columns: [qty]}\n"},
      {"pg-type-rewrite", "  - alter_column: {table: items, name: qty, type: double}\n"},
      {"pg-set-not-null-scan", "  - alter_column: {table: items, name: title, nullable: false}\n"},
      {"pg-generated-column-rewrite",
       "  - add_column: {table: items, column: {name: twice, type: integer, generated: {sql: "
       "\"qty * 2\"}}}\n"},
      {"pg-foreign-key-not-valid",
       "  - create_foreign_key: {name: fk_q, table: items, columns: [qty], references: "
       "items.id}\n"},
      {"pg-check-not-valid",
       "  - create_check_constraint: {name: q, table: items, condition: \"qty > 0\"}\n"},
      {"non-transactional-mixed",
       "  - execute: {sql: \"SELECT 1\"}\n  - execute: {sql: \"SELECT 2\"}\n", false},
      {"object-not-in-history", "  - alter_column: {table: legacy, name: n, nullable: true}\n"},
      {"object-not-in-history", "  - drop_index: {table: items, name: ix_by_hand}\n"},
      {"dialects-mismatch",
       "  - create_check_constraint: {name: qty_positive, table: items, condition: \"qty > 0\", "
       "dialects: [sqlite]}\n",
       true,
       {},
       "\n  - drop_constraint: {name: ck_items_qty_positive, table: items, type: check}\n"},
  };
}

TEST(Lint, EachRuleFiresAndItsIgnoreCommentSilencesIt) {
  for (const auto& c : cases()) {
    std::string text = revision_text(c.upgrade, c.transactional, c.downgrade);
    EXPECT_EQ(rules_of(text, c.options), std::vector<std::string>{c.rule}) << c.upgrade;
    std::string ignored = "# strata:lint-ignore " + c.rule + "\n" + text;
    EXPECT_EQ(rules_of(ignored, c.options), std::vector<std::string>{}) << c.upgrade;
    std::string other = "# strata:lint-ignore some-other-rule\n" + text;
    EXPECT_EQ(rules_of(other, c.options).size(), 1u) << c.upgrade;
  }
}

TEST(Lint, EveryRuleHasACase) {
  std::set<std::string> covered;
  for (const auto& c : cases()) covered.insert(c.rule);
  for (const auto& r : lint_rules()) EXPECT_TRUE(covered.count(std::string(r.id))) << r.id;
}

TEST(Lint, OneCommentSilencesOneFinding) {
  std::string text = revision_text(
      "  # strata:lint-ignore drop-column\n"
      "  - drop_column: {table: items, name: title}\n"
      "  - drop_column: {table: items, name: qty}\n");
  EXPECT_EQ(rules_of(text), std::vector<std::string>{"drop-column"});
}

TEST(Lint, SafeChangesPass) {
  std::string text = revision_text(
      "  - alter_column: {table: items, name: title, type: text}\n"
      "  - add_column: {table: items, column: {name: n, type: integer, nullable: false, "
      "server_default: 0}}\n"
      "  - create_table:\n      name: tags\n      columns:\n"
      "        - {name: id, type: biginteger, primary_key: true}\n"
      "  - create_index: {name: ix_tags_id, table: tags, columns: [id]}\n");
  EXPECT_EQ(rules_of(text), std::vector<std::string>{});
  // Safe for the data; PostgreSQL rewrites or scans the table for them (the pg- rules' cases).
  LintOptions sqlite;
  sqlite.dialects = {"sqlite"};
  EXPECT_EQ(
      rules_of(revision_text("  - alter_column: {table: items, name: qty, type: biginteger}\n"
                             "  - alter_column: {table: items, name: qty, nullable: false}\n"),
               sqlite),
      std::vector<std::string>{});
  EXPECT_EQ(rules_of(revision_text("  - create_index: {name: ix_q, table: items, columns: [qty], "
                                   "concurrently: true}\n",
                                   false)),
            std::vector<std::string>{});
}

// Generated columns: computed for the rows there, so NOT NULL needs no default; a VIRTUAL one,
// which PostgreSQL's lane cannot render, is no finding and no error (the runner refuses it).
// (A STORED one rewrites an existing table on PostgreSQL: its rule's case.)
TEST(Lint, GeneratedColumnsPassBothLanes) {
  LintOptions sqlite;
  sqlite.dialects = {"sqlite"};
  EXPECT_EQ(
      rules_of(revision_text(
                   "  - add_column: {table: items, column: {name: twice, type: integer, nullable: "
                   "false, generated: {sql: \"qty * 2\"}}}\n"
                   "  - add_column: {table: items, column: {name: loud, type: text, generated: "
                   "{sql: \"upper(title)\", stored: false}}}\n"),
               sqlite),
      std::vector<std::string>{});
  EXPECT_EQ(
      rules_of(revision_text("  - add_column: {table: items, column: {name: loud, type: text, "
                             "generated: {sql: \"upper(title)\", stored: false}}}\n")),
      std::vector<std::string>{});
}

// An upgrade and its downgrade on different dialects: a dialect left out keeps the change
// after a downgrade (or loses what it never had).
TEST(Lint, DialectsMismatchNamesBothSides) {
  auto findings_of = [](const std::string& upgrade, const std::string& downgrade) {
    std::string text = revision_text(upgrade, true, "\n" + downgrade);
    return lint(parse_revision(text, "x.yaml"), base_state(), {}, text);
  };
  auto one_way = findings_of(
      "  - create_check_constraint: {name: qty_positive, table: items, condition: \"qty > 0\", "
      "dialects: [sqlite]}\n",
      "  - drop_constraint: {name: ck_items_qty_positive, table: items, type: check}\n");
  ASSERT_EQ(one_way.size(), 1u);
  EXPECT_FALSE(has_errors(one_way));  // a warning: `strata lint` still exits 0
  EXPECT_EQ(one_way[0].operation, 1u);
  EXPECT_EQ(one_way[0].message,
            "create_check_constraint ck_items_qty_positive on items (sqlite only) runs on sqlite, "
            "but the downgrade's drop_constraint ck_items_qty_positive on items that undoes it "
            "runs on every dialect: give both the same dialects");
  auto other_way = findings_of(
      "  - create_index: {name: ix_q, table: items, columns: [qty], concurrently: true}\n",
      "  - drop_index: {name: ix_q, table: items, dialects: [postgresql]}\n");
  ASSERT_EQ(other_way.size(), 1u);
  EXPECT_EQ(other_way[0].rule, "dialects-mismatch");
  EXPECT_NE(other_way[0].message.find("runs on every dialect, but the downgrade's drop_index ix_q "
                                      "on items that undoes it runs on postgresql"),
            std::string::npos)
      << other_way[0].message;
}

// Twins typed per dialect, a shorthand index on one dialect, a downgrade split per dialect for
// an upgrade that runs everywhere, a downgrade written otherwise than the inverse: none of
// these is a mismatch.
TEST(Lint, DialectsMismatchIsQuietOnMatchingDowngrades) {
  std::string upgrade =
      "  - create_check_constraint: {name: qty_positive, table: items, condition: \"qty > 0\", "
      "dialects: [sqlite]}\n"
      "  - add_column: {table: items, column: {name: payload, type: text, index: true}, "
      "dialects: [sqlite]}\n"
      "  - add_column: {table: items, column: {name: payload, type: json}, dialects: postgres}\n"
      "  - add_column: {table: items, column: {name: note, type: text}}\n"
      "  - alter_column: {table: items, name: title, type: text}\n"
      "  - execute: {sql: \"UPDATE items SET note = title\"}\n";
  std::string downgrade =
      "\n  - alter_column: {table: items, name: title, type: text}\n"
      "  - drop_column: {table: items, name: note, dialects: [sqlite]}\n"
      "  - drop_column: {table: items, name: note, dialects: [postgresql]}\n"
      "  - drop_column: {table: items, name: payload, dialects: [postgresql]}\n"
      "  - drop_index: {name: ix_items_payload, table: items, dialects: [sqlite]}\n"
      "  - drop_column: {table: items, name: payload, dialects: [sqlite]}\n"
      "  - drop_constraint: {name: ck_items_qty_positive, table: items, type: check, dialects: "
      "[sqlite]}\n";
  std::string text = revision_text(upgrade, true, downgrade);
  EXPECT_EQ(rules_of(text), std::vector<std::string>{});
}

// A migrations folder of revision files that lives for one test.
class Versions {
 public:
  Versions() : dir_(fs::temp_directory_path() / ("strata-lint-" + std::to_string(rng()()))) {
    fs::create_directories(dir_ / "versions");
  }
  ~Versions() { fs::remove_all(dir_); }
  Versions(const Versions&) = delete;
  Versions& operator=(const Versions&) = delete;

  // Writes revision `id` on `parent` (empty for a root) with `upgrade` lines.
  void add(const std::string& id, const std::string& parent, const std::string& upgrade) const {
    std::ofstream(dir_ / "versions" / ("20260101_0000_" + id + "_r.yaml"))
        << "revision: " << id << "\ndown_revision: " << (parent.empty() ? "null" : parent)
        << "\nupgrade:\n"
        << upgrade << "downgrade: []\n";
  }
  ScriptDirectory load() const { return ScriptDirectory::load(dir_); }
  const fs::path& dir() const { return dir_; }

 private:
  static std::random_device& rng() {
    static std::random_device device;
    return device;
  }
  fs::path dir_;
};

constexpr const char* kCreateItems =
    "  - create_table:\n      name: items\n      columns:\n"
    "        - {name: id, type: biginteger, primary_key: true}\n"
    "        - {name: title, type: text}\n";

// "revision op rule" for each finding, in order.
Lines summary(const std::vector<Finding>& findings) {
  Lines out;
  for (const auto& f : findings)
    out.push_back(fmt::format("{} {} {}", f.revision, f.operation, f.rule));
  return out;
}

TEST(Lint, ScriptDirectoryRangeNamesFilesAndOperations) {
  Versions v;
  v.add("aaaaaaaaaaaa", "", kCreateItems);
  std::ofstream(v.dir() / "versions" / "20260101_0001_bbbbbbbbbbbb_drop.yaml")
      << revision_text("  - drop_column: {table: items, name: title}\n");
  auto scripts = v.load();
  auto findings = lint(scripts);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(has_errors(findings));
  EXPECT_EQ(findings[0].revision, "bbbbbbbbbbbb");
  EXPECT_EQ(findings[0].operation, 1u);
  EXPECT_NE(findings[0].describe().find(
                "20260101_0001_bbbbbbbbbbbb_drop.yaml: upgrade operation 1: error drop-column: "
                "drops column items.title"),
            std::string::npos)
      << findings[0].describe();
  EXPECT_TRUE(lint(scripts, Range::parse("aaaaaaaaaaaa:aaaaaaaaaaaa")).empty());
}

// Each dialect is linted on its own replay: twins typed per dialect are both checked, a finding
// only one dialect has says which, one both have is given once, and a PostgreSQL rule passes
// over an index made on SQLite only.
TEST(Lint, EachDialectIsLintedOnItsOwnReplay) {
  Versions v;
  v.add("aaaaaaaaaaaa", "", kCreateItems);
  v.add("bbbbbbbbbbbb", "aaaaaaaaaaaa",
        "  - add_column: {table: items, column: {name: payload, type: text}, dialects: [sqlite]}\n"
        "  - add_column: {table: items, column: {name: payload, type: json}, dialects: "
        "[postgresql]}\n"
        "  - create_index: {name: ix_items_payload, table: items, columns: [payload], dialects: "
        "[sqlite]}\n");
  v.add("cccccccccccc", "bbbbbbbbbbbb",
        "  - alter_column: {table: items, name: payload, type: string(50)}\n"
        "  - drop_column: {table: items, name: title, dialects: [sqlite]}\n"
        "  - drop_column: {table: items, name: payload}\n");
  auto findings = lint(v.load());
  EXPECT_EQ(summary(findings),
            (Lines{"cccccccccccc 1 type-narrowing", "cccccccccccc 1 type-narrowing",
                   "cccccccccccc 1 pg-type-rewrite", "cccccccccccc 2 drop-column",
                   "cccccccccccc 3 drop-column"}));
  ASSERT_EQ(findings.size(), 5u);
  EXPECT_TRUE(findings[0].message.starts_with("changes items.payload from text to string(50)"));
  EXPECT_TRUE(findings[0].message.ends_with(" (sqlite)")) << findings[0].message;
  EXPECT_TRUE(findings[1].message.starts_with("changes items.payload from json to string(50)"));
  EXPECT_TRUE(findings[1].message.ends_with(" (postgresql)")) << findings[1].message;
  EXPECT_TRUE(
      findings[2].message.starts_with("changes items.payload from json to string(50): "
                                      "PostgreSQL rewrites the table"))
      << findings[2].message;
  EXPECT_EQ(findings[3].message, "drops column items.title and its data (sqlite)");
  EXPECT_EQ(findings[4].message, "drops column items.payload and its data");
  LintOptions postgresql;
  postgresql.dialects = {"postgresql"};
  EXPECT_EQ(summary(lint(v.load(), {}, postgresql)),
            (Lines{"cccccccccccc 1 type-narrowing", "cccccccccccc 1 pg-type-rewrite",
                   "cccccccccccc 3 drop-column"}));
}

// A revision autogenerated from drift drops what was made by hand; the revisions after it are
// linted against the history's schema, which never had those objects.
TEST(Lint, DriftRevisionIsReportedAndLintGoesOn) {
  Versions v;
  v.add("aaaaaaaaaaaa", "", kCreateItems);
  v.add("bbbbbbbbbbbb", "aaaaaaaaaaaa",
        "  - drop_index: {table: items, name: ix_items_stray}\n"
        "  - drop_column: {table: items, name: stray}\n"
        "  - drop_table: {name: stray_log}\n"
        "  - add_column: {table: items, column: {name: qty, type: integer}}\n");
  v.add("cccccccccccc", "bbbbbbbbbbbb",
        "  - alter_column: {table: items, name: qty, type: smallinteger}\n"
        "  - drop_column: {table: items, name: stray}\n");
  auto findings = lint(v.load());
  EXPECT_EQ(summary(findings),
            (Lines{"bbbbbbbbbbbb 1 object-not-in-history", "bbbbbbbbbbbb 2 drop-column",
                   "bbbbbbbbbbbb 2 object-not-in-history", "bbbbbbbbbbbb 3 drop-table",
                   "bbbbbbbbbbbb 3 object-not-in-history", "cccccccccccc 1 type-narrowing",
                   "cccccccccccc 1 pg-type-rewrite", "cccccccccccc 2 drop-column",
                   "cccccccccccc 2 object-not-in-history"}));
  ASSERT_EQ(findings.size(), 9u);
  EXPECT_EQ(findings[2].severity, Severity::warning);
  EXPECT_EQ(findings[2].message,
            "drop_column items.stray: column items.stray is not created by any earlier revision "
            "(made by hand or by execute?)");
  EXPECT_TRUE(findings[0].message.starts_with(
      "drop_index ix_items_stray on items: index ix_items_stray is"))
      << findings[0].message;
  EXPECT_TRUE(findings[4].message.starts_with("drop_table stray_log: table stray_log is not"))
      << findings[4].message;
}

// A table made by `execute` is not in the replay: every operation on it is named, the
// operations on tables the history made are linted as usual, and nothing aborts.
TEST(Lint, TableCreatedByExecuteIsNamedInEachOperation) {
  Versions v;
  v.add("aaaaaaaaaaaa", "",
        std::string(kCreateItems) +
            "  - execute: {sql: \"CREATE TABLE legacy (id INTEGER PRIMARY KEY, name TEXT)\"}\n");
  v.add("bbbbbbbbbbbb", "aaaaaaaaaaaa",
        "  - add_column: {table: legacy, column: {name: note, type: text}}\n"
        "  - alter_column: {table: legacy, name: name, nullable: false}\n"
        "  - create_index: {name: ix_legacy_name, table: legacy, columns: [name]}\n"
        "  - drop_constraint: {table: legacy, name: uq_legacy_name, type: unique}\n"
        "  - create_foreign_key: {name: fk_items_legacy, table: items, columns: [id], "
        "references: legacy.id}\n"
        "  - drop_column: {table: items, name: title}\n");
  auto findings = lint(v.load());
  EXPECT_EQ(
      summary(findings),
      (Lines{"bbbbbbbbbbbb 1 object-not-in-history", "bbbbbbbbbbbb 2 object-not-in-history",
             "bbbbbbbbbbbb 3 pg-index-not-concurrent", "bbbbbbbbbbbb 3 object-not-in-history",
             "bbbbbbbbbbbb 4 object-not-in-history", "bbbbbbbbbbbb 5 pg-foreign-key-not-valid",
             "bbbbbbbbbbbb 5 object-not-in-history", "bbbbbbbbbbbb 6 drop-column"}));
  ASSERT_EQ(findings.size(), 8u);
  EXPECT_EQ(findings[1].message,
            "alter_column legacy.name: table legacy is not created by any earlier revision (made "
            "by hand or by execute?)");
  EXPECT_TRUE(findings[6].message.starts_with(
      "create_foreign_key fk_items_legacy on items: table legacy is"))
      << findings[6].message;
}

}  // namespace
}  // namespace strata::autogen

namespace strata::test {
namespace {

// Drift on a real database: objects added by hand, the revision autogenerate writes to remove
// them, and lint over the history that now holds it.
class LintDrift : public AutogenTest {};

TEST_P(LintDrift, AutogeneratedRepairOfDriftLints) {
  MetaData model;
  model.add(Table("items", {Column("id", Type::biginteger()).primary_key(),
                            Column("title", Type::string(100))}));
  step(model);
  auto conn = engine().connect();
  conn.execute("ALTER TABLE items ADD COLUMN stray INTEGER");
  conn.execute("CREATE INDEX ix_items_by_hand ON items (title)");
  conn.execute("CREATE TABLE stray_log (id INTEGER PRIMARY KEY)");
  auto repair = autogen::compare(model, engine(), options_);
  migrate::Revision r;
  r.id = "bbbbbbbbbbbb";
  r.message = "remove what was added by hand";
  r.down_revisions = {fmt_id(1)};
  r.upgrade = repair.upgrade;
  r.downgrade = repair.downgrade;
  r.has_downgrade = true;
  std::ofstream(file_of(r.id)) << migrate::write_revision(r, repair.comments);
  auto findings = autogen::lint(migrate::ScriptDirectory::load(dir() / "migrations"));
  std::vector<std::string> named;
  for (const auto& f : findings) {
    EXPECT_EQ(f.revision, "bbbbbbbbbbbb");
    if (f.rule == "object-not-in-history") named.push_back(f.message.substr(f.message.find(": ")));
  }
  std::sort(named.begin(), named.end());
  auto tail = " is not created by any earlier revision (made by hand or by execute?)";
  EXPECT_EQ(named, (std::vector<std::string>{std::string(": column items.stray") + tail,
                                             std::string(": index ix_items_by_hand") + tail,
                                             std::string(": table stray_log") + tail}))
      << migrate::write_revision(r, repair.comments);
}

STRATA_ON_BOTH_BACKENDS(LintDrift);

}  // namespace
}  // namespace strata::test
