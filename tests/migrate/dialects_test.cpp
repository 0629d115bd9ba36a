// `dialects:` on operations: parsed and checked, written back, and respected by everything that
// replays, renders and inverts operations, on both dialects. No database: migrate_db_tests runs
// such a history online and offline.
#include <gtest/gtest.h>

#include <strata/core/error.hpp>
#include <strata/migrate/render.hpp>
#include <strata/migrate/revision_writer.hpp>
#include <strata/migrate/script_directory.hpp>

#include "migrate/revision_text.hpp"

namespace strata::migrate {
namespace {

using test::error_of;
using test::parse;

const char* kBase =
    "  - create_table:\n      name: runs\n      columns:\n"
    "        - {name: id, type: biginteger, primary_key: true}\n";

// A check on SQLite only, a column typed per dialect (with an index on SQLite), and an
// operation for both, in between.
const char* kSplit =
    "  - create_check_constraint:\n"
    "      {name: id_positive, table: runs, condition: \"id > 0\", dialects: [sqlite]}\n"
    "  - add_column:\n      table: runs\n      column: {name: payload, type: text, index: true}\n"
    "      dialects: sqlite\n"
    "  - add_column: {table: runs, column: {name: note, type: text}}\n"
    "  - add_column: {table: runs, column: {name: payload, type: json}, dialects: [postgres]}\n"
    "  - alter_column: {table: runs, name: note, nullable: false, server_default: x, "
    "dialects: [sqlite]}\n";

TEST(Dialects, ParsedSortedAndGivenToShorthands) {
  Revision r = parse(kSplit);
  ASSERT_EQ(r.upgrade.size(), 6u);
  EXPECT_EQ(dialects_of(r.upgrade[0]), Dialects{"sqlite"});
  EXPECT_EQ(dialects_of(r.upgrade[1]), Dialects{"sqlite"});  // the column
  EXPECT_EQ(dialects_of(r.upgrade[2]), Dialects{"sqlite"});  // its index: true
  EXPECT_TRUE(std::holds_alternative<CreateIndex>(r.upgrade[2]));
  EXPECT_TRUE(dialects_of(r.upgrade[3]).empty());
  EXPECT_EQ(dialects_of(r.upgrade[4]), Dialects{"postgresql"});
  EXPECT_TRUE(runs_on(r.upgrade[3], "sqlite") && runs_on(r.upgrade[3], "postgresql"));
  EXPECT_FALSE(runs_on(r.upgrade[4], "sqlite"));
  Revision both = parse("  - drop_table: {name: t, dialects: [sqlite, postgresql, sqlite]}\n");
  EXPECT_EQ(dialects_of(both.upgrade[0]), (Dialects{"postgresql", "sqlite"}));
  EXPECT_EQ(describe_operation(r.upgrade[0]),
            "create_check_constraint ck_runs_id_positive on runs (sqlite only)");
  EXPECT_EQ(describe_operation(both.upgrade[0]), "drop_table t (postgresql, sqlite only)");
}

TEST(Dialects, UnknownOrEmptyDialectsNameTheLine) {
  EXPECT_EQ(error_of("  - drop_table:\n      name: t\n      dialects: [sqlite, mysql]\n"),
            "versions/x.yaml:6: unknown dialect 'mysql': expected sqlite or postgresql");
  EXPECT_EQ(error_of("  - drop_table: {name: t, dialects: []}\n"),
            "versions/x.yaml:4: dialects must list one or more of [sqlite], [postgresql]; leave it "
            "out to "
            "run everywhere");
  EXPECT_EQ(error_of("  - drop_table: {name: t, dialects: [{sqlite: 1}]}\n"),
            "versions/x.yaml:4: dialects must list names: [sqlite] or [postgresql]");
  auto key = error_of("  - drop_table: {name: t, dialect: [sqlite]}\n");
  EXPECT_NE(key.find("unknown key 'dialect' in drop_table (expected name, dialects)"),
            std::string::npos)
      << key;
}

// Every operation written with its dialects reads back the same, blocks and one-liners alike.
TEST(Dialects, TheWriterWritesThemBack) {
  Revision r =
      parse(std::string(kBase) + kSplit +
            "  - execute: {sql: \"COMMENT ON TABLE runs IS 'x'\", dialects: [postgresql]}\n"
            "  - bulk_insert: {table: runs, rows: [{id: 1}], dialects: [sqlite]}\n"
            "  - create_table:\n      name: only_pg\n      columns: [{name: a, type: "
            "integer}]\n      dialects: [postgresql]\n");
  r.id = "a1";
  std::string text = write_revision(r);
  EXPECT_NE(text.find("  - create_check_constraint: {name: ck_runs_id_positive, table: runs, "
                      "condition: \"id > 0\", dialects: [sqlite]}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      column: {name: payload, type: json}\n      dialects: [postgresql]\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(parse_revision(text, "versions/x.yaml").upgrade, r.upgrade) << text;
}

class ForEachDialect : public ::testing::TestWithParam<Backend> {
 protected:
  const Dialect& dialect() const { return Dialect::of(GetParam()); }
  bool sqlite() const { return GetParam() == Backend::sqlite; }
  RevisionGraph graph() const {
    std::vector<Revision> revisions{parse(kBase), parse(kSplit, {.id = "b2", .down = "a1"})};
    return RevisionGraph(std::move(revisions));
  }
};

TEST_P(ForEachDialect, ReplayTakesThisDialectsOperationsOnly) {
  SchemaState state = replay(graph(), {"b2"}, dialect());
  const Table& runs = *state.table("runs");
  EXPECT_EQ(runs.column("payload")->type, sqlite() ? Type::text() : Type::json());
  EXPECT_EQ(runs.check_constraints.size(), sqlite() ? 1u : 0u);
  EXPECT_EQ(runs.indexes.size(), sqlite() ? 1u : 0u);
  EXPECT_EQ(runs.column("note")->nullable, !sqlite());
  // Without a dialect every operation is replayed: payload is added twice.
  SchemaState every;
  for (const auto& op : parse(kBase).upgrade) every.apply(op);
  auto split = parse(kSplit).upgrade;
  EXPECT_THROW(for (const auto& op : split) every.apply(op), MigrationError);
}

// The other dialect's operations render nothing and do not break SQLite's run of rebuilds: from
// the check on, one rebuild takes the operations around the PostgreSQL column.
TEST_P(ForEachDialect, RenderingLeavesOutTheOtherDialectsOperations) {
  SchemaState state = replay(graph(), {"a1"}, dialect());
  auto split = parse(kSplit).upgrade;
  // note (both), check, payload json (postgresql), alteration, payload text, its index
  std::vector<Operation> ops{split[3], split[0], split[4], split[5], split[1], split[2]};
  auto rendered = render_all(ops, dialect(), state);
  std::string all;
  for (const auto& r : rendered) {
    for (const auto& sql : r.statements) all += sql + ";\n";
  }
  EXPECT_EQ(all.find("ck_runs_id_positive") != std::string::npos, sqlite()) << all;
  EXPECT_EQ(all.find("ADD COLUMN payload JSONB") != std::string::npos, !sqlite()) << all;
  if (sqlite()) {
    ASSERT_EQ(rendered.size(), 2u);
    EXPECT_EQ(rendered[1].rebuilt_table, "runs");
    EXPECT_EQ(rendered[1].first, 1u);
    EXPECT_EQ(rendered[1].last, 5u);
  } else {
    EXPECT_EQ(rendered.size(), 2u);
  }
  EXPECT_EQ(render(ops[2], dialect(), state).statements.empty(), sqlite());
}

// An inverse keeps the dialects of what it undoes; it needs that dialect's schema.
TEST_P(ForEachDialect, InversesKeepTheDialects) {
  SchemaState state = replay(graph(), {"a1"}, dialect());
  auto ops = parse(kSplit).upgrade;
  std::vector<Operation> mine;
  for (const auto& op : ops) {
    if (runs_on(op, dialect().name())) mine.push_back(op);
  }
  auto undo = inverse(mine, state);
  const Dialects only{std::string(dialect().name())};
  if (sqlite()) {
    std::optional<std::optional<ServerDefault>> no_default{std::optional<ServerDefault>()};
    EXPECT_EQ(undo,
              (std::vector<Operation>{
                  AlterColumn{"runs", "note", std::nullopt, true, no_default, std::nullopt, only},
                  DropColumn{"runs", "note"}, DropIndex{"runs", "ix_runs_payload", only},
                  DropColumn{"runs", "payload", only},
                  DropConstraint{"runs", "ck_runs_id_positive", ConstraintType::check, only}}));
  } else {
    EXPECT_EQ(undo, (std::vector<Operation>{DropColumn{"runs", "payload", only},
                                            DropColumn{"runs", "note"}}));
  }
  SchemaState back = state;
  for (const auto& op : mine) back.apply(op);
  for (const auto& op : undo) back.apply(op);
  EXPECT_EQ(describe_difference(*state.table("runs"), *back.table("runs")), "");
  for (const auto& op : ops) {
    if (!runs_on(op, dialect().name())) {
      EXPECT_THROW(inverse(op, state), MigrationError) << describe_operation(op);
    }
  }
}

// A check follows its column by the dialect's lexical rules: `[ i ]` is PostgreSQL's subscript
// by column i, and SQLite's quoted name " i ", another column.
TEST_P(ForEachDialect, ExpressionsAreReadByTheDialectsRules) {
  auto ops = parse(
                 "  - create_table:\n      name: runs\n      columns:\n"
                 "        - {name: id, type: biginteger, primary_key: true}\n"
                 "        - {name: i, type: integer}\n"
                 "  - create_check_constraint:\n"
                 "      {name: first, table: runs, condition: \"marks[ i ] > 0\"}\n")
                 .upgrade;
  SchemaState renamed(dialect());
  for (const auto& op : ops) renamed.apply(op);
  SchemaState dropped = renamed;
  renamed.apply(AlterColumn{"runs", "i", std::nullopt, std::nullopt, std::nullopt, "j"});
  EXPECT_EQ(renamed.table("runs")->check_constraints.at(0).condition,
            sqlite() ? "marks[ i ] > 0" : "marks[ j ] > 0");
  dropped.apply(DropColumn{"runs", "i"});
  EXPECT_EQ(dropped.table("runs")->check_constraints.size(), sqlite() ? 1u : 0u);
}

std::string dialect_name(const ::testing::TestParamInfo<Backend>& param) {
  return std::string(Dialect::of(param.param).name());
}

INSTANTIATE_TEST_SUITE_P(Dialects, ForEachDialect,
                         ::testing::Values(Backend::sqlite, Backend::postgresql), dialect_name);

}  // namespace
}  // namespace strata::migrate
