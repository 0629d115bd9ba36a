// Primary keys in revision files: named in create_table, named by the convention's `pk`
// template, made by create_primary_key and dropped by drop_constraint, replayed, rendered and
// inverted on both dialects, and written back by the revision writer as they were read.
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

Table created(const Revision& r, std::size_t i = 0) {
  return std::get<CreateTable>(r.upgrade.at(i)).table;
}

const char* kRuns = R"yaml(  - create_table:
      name: runs
      columns:
        - {name: id, type: biginteger, nullable: false}
        - {name: attempt, type: integer, nullable: false}
      primary_key: {name: run_pk, columns: [id, attempt]}
)yaml";

TEST(PrimaryKey, CreateTableNamesItsKey) {
  Table runs = created(parse(kRuns));
  ASSERT_TRUE(runs.primary_key);
  EXPECT_EQ(runs.primary_key->name, "run_pk");
  EXPECT_EQ(runs.primary_key->columns, (std::vector<std::string>{"id", "attempt"}));
  Table listed = created(
      parse("  - create_table:\n      name: tags\n      columns: [{name: a, type: integer}, "
            "{name: b, type: integer}]\n      primary_key: [a, b]\n"));
  EXPECT_EQ(listed.primary_key->name, "pk_tags");
  EXPECT_FALSE(listed.column("a")->nullable);
}

// `{name}` alone names the key the columns marked primary_key: true make; a marked integer
// column still autoincrements.
TEST(PrimaryKey, TheMapNamesTheKeyOfTheMarkedColumns) {
  const Table& t =
      created(parse("  - create_table:\n      name: runs\n      columns:\n"
                    "        - {name: id, type: biginteger, primary_key: true}\n"
                    "      primary_key: {name: run_pk}\n"));
  EXPECT_EQ(t.primary_key, (PrimaryKey{"run_pk", {"id"}}));
  EXPECT_TRUE(t.column("id")->autoincrement);
}

TEST(PrimaryKey, TheConventionsPkTemplateNamesKeys) {
  NamingConvention convention;
  convention.primary_key = "{table}_pkey";
  EXPECT_EQ(created(parse("  - create_table:\n      name: items\n      columns:\n"
                          "        - {name: id, type: biginteger, primary_key: true}\n",
                          {.convention = convention}))
                .primary_key->name,
            "items_pkey");
  EXPECT_EQ(created(parse(kRuns, {.convention = convention})).primary_key->name, "run_pk");
}

TEST(PrimaryKey, MistakesNameTheLine) {
  EXPECT_EQ(error_of("  - create_table:\n      name: t\n      columns: [{name: a, type: integer}]\n"
                     "      primary_key: {name: t_pk}\n"),
            "versions/x.yaml:7: primary_key names no columns: list them, or mark columns "
            "primary_key: true");
  EXPECT_EQ(error_of("  - create_table:\n      name: t\n      columns:\n"
                     "        - {name: a, type: integer, primary_key: true}\n"
                     "        - {name: b, type: integer}\n"
                     "      primary_key: [b]\n"),
            "versions/x.yaml:9: primary_key lists (b) but the columns marked primary_key: true "
            "are (a); keep one of the two");
  auto unknown = error_of(
      "  - create_table:\n      name: t\n      columns: [{name: a, type: integer}]\n"
      "      primary_key: {name: t_pk, column: [a]}\n");
  EXPECT_NE(unknown.find("versions/x.yaml:7: unknown key 'column' in primary key (expected "
                         "name, columns)"),
            std::string::npos)
      << unknown;
}

// What the writer writes reads back as the same operations: a named key as {name, columns},
// a conventional one as the column's shorthand or a list.
TEST(PrimaryKey, TheWriterWritesTheNameBack) {
  Revision r = parse(std::string(kRuns) +
                     "  - create_table:\n      name: solo\n      columns:\n"
                     "        - {name: id, type: biginteger, primary_key: true}\n"
                     "      primary_key: {name: solo_key}\n"
                     "  - create_table:\n      name: tags\n      columns: [{name: a, type: "
                     "integer}, {name: b, type: integer}]\n      primary_key: [a, b]\n"
                     "  - create_table:\n      name: plain\n      columns:\n"
                     "        - {name: id, type: biginteger, primary_key: true}\n");
  r.id = "a1";
  std::string text = write_revision(r);
  EXPECT_NE(text.find("      primary_key: {name: run_pk, columns: [id, attempt]}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      primary_key: {name: solo_key, columns: [id]}\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("      primary_key: [a, b]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("{name: id, type: biginteger, primary_key: true}"), std::string::npos)
      << text;
  EXPECT_EQ(parse_revision(text, "versions/x.yaml").upgrade, r.upgrade) << text;
}

// create_primary_key and drop_constraint's primary keys, on both dialects: rendered, replayed
// and inverted. No database: the SQL is checked as text (migrate_db_tests runs it).
class KeyChanges : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    Table items("items", {Column("id", Type::biginteger()).primary_key().auto_increment(false),
                          Column("owner_id", Type::biginteger()), Column("title", Type::text())});
    NamingConvention{}.apply(items);
    state_.apply(CreateTable{items});
  }
  const Dialect& dialect() const { return Dialect::of(GetParam()); }
  bool rebuilds() const { return !dialect().can_alter_constraints(); }
  // The statement that makes the table again in a SQLite rebuild; empty elsewhere.
  std::string new_table(const RenderedOperation& r) const {
    for (const auto& sql : r.statements) {
      if (sql.starts_with("CREATE TABLE _strata_new_items")) return sql;
    }
    return "";
  }

  SchemaState state_;
};

TEST_P(KeyChanges, AKeyIsDroppedAndMadeAgainOverOtherColumns) {
  std::vector<Operation> ops{
      DropConstraint{"items", "pk_items", ConstraintType::primary_key},
      CreatePrimaryKey{"items", PrimaryKey{"items_key", {"id", "owner_id"}}}};
  SchemaState after = state_;
  auto rendered = render_all(ops, dialect(), after);
  EXPECT_EQ(after.table("items")->primary_key, (PrimaryKey{"items_key", {"id", "owner_id"}}));
  EXPECT_FALSE(after.table("items")->column("owner_id")->nullable);
  if (rebuilds()) {  // one rebuild for both
    ASSERT_EQ(rendered.size(), 1u);
    EXPECT_EQ(rendered[0].rebuilt_table, "items");
    EXPECT_NE(new_table(rendered[0]).find("CONSTRAINT items_key PRIMARY KEY (id, owner_id)"),
              std::string::npos)
        << new_table(rendered[0]);
    EXPECT_EQ(new_table(rendered[0]).find("pk_items"), std::string::npos);
  } else {
    ASSERT_EQ(rendered.size(), 2u);
    EXPECT_EQ(rendered[0].statements, std::vector<std::string>{"ALTER TABLE items DROP "
                                                               "CONSTRAINT pk_items"});
    EXPECT_EQ(rendered[1].statements,
              std::vector<std::string>{"ALTER TABLE items ADD CONSTRAINT items_key PRIMARY KEY "
                                       "(id, owner_id)"});
  }
}

// Undone, the key comes back under its old name and owner_id is nullable again.
TEST_P(KeyChanges, InversesRestoreTheKeyAndTheNullability) {
  std::vector<Operation> ops{
      DropConstraint{"items", "pk_items", ConstraintType::primary_key},
      CreatePrimaryKey{"items", PrimaryKey{"items_key", {"id", "owner_id"}}}};
  auto undo = inverse(ops, state_);
  EXPECT_EQ(undo,
            (std::vector<Operation>{
                DropConstraint{"items", "items_key", ConstraintType::primary_key},
                AlterColumn{"items", "owner_id", std::nullopt, true, std::nullopt, std::nullopt},
                CreatePrimaryKey{"items", PrimaryKey{"pk_items", {"id"}}}}));
  SchemaState there = state_;
  render_all(ops, dialect(), there);
  auto back = render_all(undo, dialect(), there);
  EXPECT_EQ(describe_difference(*state_.table("items"), *there.table("items")), "");
  if (!rebuilds()) {
    EXPECT_EQ(back.back().statements,
              std::vector<std::string>{"ALTER TABLE items ADD CONSTRAINT pk_items PRIMARY KEY "
                                       "(id)"});
  }
}

// Dropping a column of the key drops the key, as PostgreSQL does; the inverse makes both again.
TEST_P(KeyChanges, DroppingAKeyColumnDropsTheKey) {
  SchemaState after = state_;
  auto rendered = render_all({DropColumn{"items", "id"}}, dialect(), after);
  EXPECT_FALSE(after.table("items")->primary_key);
  if (rebuilds()) {
    EXPECT_EQ(new_table(rendered[0]).find("PRIMARY KEY"), std::string::npos);
  }
  auto undo = inverse(DropColumn{"items", "id"}, state_);
  ASSERT_EQ(undo.size(), 2u);
  EXPECT_EQ(undo[1], Operation(CreatePrimaryKey{"items", PrimaryKey{"pk_items", {"id"}}}));
  render_all(undo, dialect(), after);
  EXPECT_EQ(after.table("items")->primary_key, state_.table("items")->primary_key);
}

TEST_P(KeyChanges, WhatDoesNotFitIsRefused) {
  auto message = [&](const Operation& op) -> std::string {
    SchemaState s = state_;
    try {
      render_all({op}, dialect(), s);
    } catch (const MigrationError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message(CreatePrimaryKey{"items", PrimaryKey{"items_key", {"owner_id"}}}),
            "operation 1 (create_primary_key): table 'items' already has the primary key "
            "'pk_items': drop it first (drop_constraint with type: primary_key)");
  EXPECT_EQ(message(DropConstraint{"items", "items_pkey", ConstraintType::primary_key}),
            "operation 1 (drop_constraint): the primary key of table 'items' is named "
            "'pk_items', not 'items_pkey'");
  SchemaState keyless = state_;
  keyless.apply(DropConstraint{"items", "pk_items", ConstraintType::primary_key});
  EXPECT_THROW(keyless.apply(CreatePrimaryKey{"items", PrimaryKey{"k", {"nope"}}}), MigrationError);
  EXPECT_THROW(inverse(DropConstraint{"items", "pk_items", ConstraintType::primary_key}, keyless),
               MigrationError);
}

std::string dialect_name(const ::testing::TestParamInfo<Backend>& param) {
  return std::string(Dialect::of(param.param).name());
}

INSTANTIATE_TEST_SUITE_P(Dialects, KeyChanges,
                         ::testing::Values(Backend::sqlite, Backend::postgresql), dialect_name);

TEST(PrimaryKey, CreatePrimaryKeyParsesAndIsWrittenBack) {
  Revision r = parse(
      "  - create_primary_key: {name: items_key, table: items, columns: [id, owner_id]}\n"
      "  - create_primary_key: {table: tags, columns: tag}\n");
  EXPECT_EQ(r.upgrade.at(0),
            Operation(CreatePrimaryKey{"items", PrimaryKey{"items_key", {"id", "owner_id"}}}));
  EXPECT_EQ(r.upgrade.at(1), Operation(CreatePrimaryKey{"tags", PrimaryKey{"pk_tags", {"tag"}}}));
  std::string text = write_revision(r);
  EXPECT_NE(text.find("  - create_primary_key: {name: items_key, table: items, columns: [id, "
                      "owner_id]}\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(parse_revision(text, "versions/x.yaml").upgrade, r.upgrade);
  EXPECT_EQ(error_of("  - create_primary_key: {table: t, columns: []}\n"),
            "versions/x.yaml:4: create_primary_key needs its columns");
}

}  // namespace
}  // namespace strata::migrate
