// The lint rules on PostgreSQL's long locks, each where it fires and where it must not: a type
// change that rewrites the table (and the widenings that do not), NOT NULL on an existing column
// without a validated CHECK (col IS NOT NULL) in the history, and a foreign key or check added
// to an existing table without not_valid, or validated in the revision that adds it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <strata/autogen/lint.hpp>

namespace strata::autogen {
namespace {

using namespace strata::migrate;
namespace fs = std::filesystem;
using Rules = std::vector<std::string>;

constexpr const char* kItems =
    "  - create_table:\n      name: items\n      columns:\n"
    "        - {name: id, type: biginteger, primary_key: true}\n"
    "        - {name: title, type: string(100)}\n"
    "        - {name: price, type: \"numeric(10,2)\"}\n"
    "        - {name: qty, type: integer}\n"
    "        - {name: note, type: text}\n"
    "  - create_table:\n      name: users\n      columns:\n"
    "        - {name: id, type: biginteger, primary_key: true}\n";

// A history of revisions, one per list of upgrade lines, each on the one before; the first
// makes items and users. The rules found in each revision after the first, on PostgreSQL.
class History {
 public:
  History() : dir_(fs::temp_directory_path() / ("strata-lint-locks-" + random_suffix())) {
    fs::create_directories(dir_ / "versions");
    add(kItems);
  }
  ~History() { fs::remove_all(dir_); }
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  History& add(const std::string& upgrade) {
    std::string id = fmt::format("{:012x}", ++count_);
    std::string parent = count_ == 1 ? "null" : fmt::format("{:012x}", count_ - 1);
    std::ofstream(dir_ / "versions" / ("20260101_0000_" + id + "_r.yaml"))
        << "revision: " << id << "\ndown_revision: " << parent << "\nupgrade:\n"
        << upgrade << "downgrade: []\n";
    return *this;
  }

  // The rules of the last revision's findings, in order, on `dialect`.
  Rules last(const std::string& dialect = "postgresql") const {
    LintOptions options;
    options.dialects = {dialect};
    Rules out;
    std::string id = fmt::format("{:012x}", count_);
    for (const auto& f : lint(ScriptDirectory::load(dir_), {}, options)) {
      if (f.revision == id) out.push_back(f.rule);
    }
    return out;
  }

 private:
  static std::string random_suffix() {
    static std::random_device device;
    return std::to_string(device());
  }
  fs::path dir_;
  int count_ = 0;
};

Rules alter_type(const std::string& column, const std::string& type) {
  History h;
  h.add(fmt::format("  - alter_column: {{table: items, name: {}, type: \"{}\"}}\n", column, type));
  return h.last();
}

TEST(LintLocks, TypeChangesThatRewriteTheTable) {
  EXPECT_EQ(alter_type("qty", "biginteger"), Rules{"pg-type-rewrite"});
  EXPECT_EQ(alter_type("qty", "double"), Rules{"pg-type-rewrite"});
  EXPECT_EQ(alter_type("note", "string(50)"), (Rules{"type-narrowing", "pg-type-rewrite"}));
  EXPECT_EQ(alter_type("price", "numeric(12,3)"), Rules{"pg-type-rewrite"});
  EXPECT_EQ(alter_type("title", "string(50)"), (Rules{"type-narrowing", "pg-type-rewrite"}));
}

TEST(LintLocks, WideningsPostgresqlDoesInPlaceAreNotFlagged) {
  EXPECT_EQ(alter_type("title", "string(200)"), Rules{});
  EXPECT_EQ(alter_type("title", "text"), Rules{});
  EXPECT_EQ(alter_type("price", "numeric(12,2)"), Rules{});
}

TEST(LintLocks, TheRulesAreForPostgresqlOnly) {
  History h;
  h.add(
      "  - alter_column: {table: items, name: qty, type: biginteger}\n"
      "  - alter_column: {table: items, name: note, nullable: false}\n"
      "  - create_foreign_key: {name: fk_u, table: items, columns: [qty], references: users.id}\n"
      "  - create_check_constraint: {name: q, table: items, condition: \"qty > 0\"}\n");
  EXPECT_EQ(h.last("sqlite"), Rules{});
  EXPECT_EQ(h.last(), (Rules{"pg-type-rewrite", "pg-set-not-null-scan", "pg-foreign-key-not-valid",
                             "pg-check-not-valid"}));
}

// A table the revision makes is empty: nothing to rewrite, scan or check.
TEST(LintLocks, ATableMadeInTheSameRevisionIsNotFlagged) {
  History h;
  h.add(
      "  - create_table:\n      name: tags\n      columns:\n"
      "        - {name: id, type: biginteger, primary_key: true}\n"
      "        - {name: n, type: integer}\n"
      "  - alter_column: {table: tags, name: n, type: biginteger, nullable: false}\n"
      "  - create_foreign_key: {name: fk_t, table: tags, columns: [n], references: users.id}\n"
      "  - create_check_constraint: {name: n, table: tags, condition: \"n > 0\"}\n");
  EXPECT_EQ(h.last(), Rules{});
}

TEST(LintLocks, NotNullAfterAValidatedCheckIsNotFlagged) {
  History h;
  h.add(
      "  - create_check_constraint: {name: note_nn, table: items, condition: \"note IS NOT "
      "NULL\", not_valid: true}\n");
  EXPECT_EQ(h.last(), Rules{});
  h.add("  - validate_constraint: {table: items, name: ck_items_note_nn}\n");
  EXPECT_EQ(h.last(), Rules{});
  h.add(
      "  - alter_column: {table: items, name: note, nullable: false}\n"
      "  - drop_constraint: {table: items, name: ck_items_note_nn, type: check}\n");
  EXPECT_EQ(h.last(), Rules{});
  // That check was for note alone.
  h.add("  - alter_column: {table: items, name: qty, nullable: false}\n");
  EXPECT_EQ(h.last(), Rules{"pg-set-not-null-scan"});
}

TEST(LintLocks, NotNullWithACheckNotValidatedYetIsFlagged) {
  History h;
  h.add(
      "  - create_check_constraint: {name: note_nn, table: items, condition: \"(\\\"note\\\" "
      "is not null)\", not_valid: true}\n");
  h.add("  - alter_column: {table: items, name: note, nullable: false}\n");
  EXPECT_EQ(h.last(), Rules{"pg-set-not-null-scan"});
}

// A check made valid at once (scanned when it was added) lets NOT NULL skip its own scan; one
// on another column or saying more does not.
TEST(LintLocks, OnlyACheckOfThatColumnAloneCounts) {
  History h;
  h.add(
      "  - create_check_constraint: {name: a, table: items, condition: \"NOTE IS NOT NULL\"}\n"
      "  - create_check_constraint: {name: b, table: items, condition: \"qty IS NOT NULL AND "
      "qty > 0\"}\n");
  h.add(
      "  - alter_column: {table: items, name: note, nullable: false}\n"
      "  - alter_column: {table: items, name: qty, nullable: false}\n"
      "  - alter_column: {table: items, name: title, nullable: false}\n");
  EXPECT_EQ(h.last(), (Rules{"pg-set-not-null-scan", "pg-set-not-null-scan"}));
}

TEST(LintLocks, AForeignKeyNotValidThenValidatedLaterIsNotFlagged) {
  History h;
  h.add(
      "  - create_foreign_key: {name: fk_u, table: items, columns: [qty], references: users.id, "
      "not_valid: true}\n");
  EXPECT_EQ(h.last(), Rules{});
  h.add("  - validate_constraint: {table: items, name: fk_u}\n");
  EXPECT_EQ(h.last(), Rules{});
}

// The scan would run while the transaction still holds the lock the ALTER took.
TEST(LintLocks, ValidatedInTheRevisionThatAddsItIsFlagged) {
  History h;
  h.add(
      "  - create_foreign_key: {name: fk_u, table: items, columns: [qty], references: users.id, "
      "not_valid: true}\n"
      "  - validate_constraint: {table: items, name: fk_u}\n"
      "  - create_check_constraint: {name: q, table: items, condition: \"qty > 0\", not_valid: "
      "true}\n"
      "  - validate_constraint: {table: items, name: ck_items_q}\n");
  EXPECT_EQ(h.last(), (Rules{"pg-foreign-key-not-valid", "pg-check-not-valid"}));
}

// add_column's foreign_key shorthand is a create_foreign_key on a table with rows.
TEST(LintLocks, AForeignKeyOnANewColumnOfAnExistingTableIsFlagged) {
  History h;
  h.add(
      "  - add_column: {table: items, column: {name: owner_id, type: biginteger, foreign_key: "
      "{references: users.id}}}\n");
  EXPECT_EQ(h.last(), Rules{"pg-foreign-key-not-valid"});
}

TEST(LintLocks, MessagesSayWhatToDoInstead) {
  SchemaState before;
  Table items("items",
              {Column("id", Type::biginteger()).primary_key(), Column("qty", Type::integer())});
  before.apply(CreateTable{items});
  Revision r = parse_revision(
      "revision: b\ndown_revision: a\nupgrade:\n"
      "  - alter_column: {table: items, name: qty, type: biginteger, nullable: false}\n"
      "  - create_foreign_key: {name: fk, table: items, columns: [qty], references: items.id}\n",
      "x.yaml");
  auto findings = lint(r, before);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].describe(),
            "x.yaml: upgrade operation 1: warning pg-type-rewrite: changes items.qty from integer "
            "to biginteger: PostgreSQL rewrites the table and its indexes under an ACCESS "
            "EXCLUSIVE lock, which stops its reads and writes meanwhile; add a new column, fill it "
            "in batches and move to it instead");
  EXPECT_EQ(findings[1].message,
            "sets items.qty NOT NULL: PostgreSQL scans the table under an ACCESS EXCLUSIVE lock; "
            "first create_check_constraint {condition: \"qty IS NOT NULL\", not_valid: true} and "
            "validate_constraint it in a later revision, which lets the NOT NULL skip the scan");
  EXPECT_EQ(findings[2].message,
            "adds foreign key fk to items without not_valid: true: PostgreSQL checks every row "
            "while it holds a SHARE ROW EXCLUSIVE lock on both tables, which stops their writes; "
            "add it with not_valid: true, then validate_constraint it in a later revision");
}

}  // namespace
}  // namespace strata::autogen
