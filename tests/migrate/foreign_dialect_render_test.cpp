// Migrations with a dialect strata does not ship (tests/support/colon_dialect.hpp): schema
// replay and rendering ask the dialect they are given, so its placeholders, literals and type
// names appear, and an operation restricted to the built-in dialects renders nothing for it.
#include <gtest/gtest.h>

#include <strata/migrate/render.hpp>
#include <strata/schema/metadata.hpp>

#include "support/colon_dialect.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;

std::vector<std::string> statements_of(const std::vector<Operation>& ops, SchemaState& state) {
  std::vector<std::string> out;
  for (const auto& rendered : render_all(ops, colon_dialect(), state)) {
    out.insert(out.end(), rendered.statements.begin(), rendered.statements.end());
  }
  return out;
}

Table items() {
  Table table("items", {Column("id", Type::biginteger()).primary_key().auto_increment(),
                        Column("title", Type::string(20)).not_null()});
  NamingConvention{}.apply(table);
  return table;
}

TEST(ForeignDialectMigrations, RendersThroughTheDialectItIsGiven) {
  SchemaState state(colon_dialect());
  auto sql = statements_of(
      {CreateTable{items()},
       BulkInsert{"items",
                  {{{"id", Value(std::int64_t{1})}, {"title", Value(std::string("it's"))}}}},
       AddColumn{"items", Column("price", Type::numeric(10, 2))}},
      state);
  ASSERT_EQ(sql.size(), 3u);
  EXPECT_NE(sql[0].find("id SERIAL"), std::string::npos) << sql[0];
  EXPECT_NE(sql[1].find("1::BIGINT"), std::string::npos) << sql[1];
  EXPECT_NE(sql[1].find("'it''s'::VARCHAR(20)"), std::string::npos) << sql[1];
  EXPECT_EQ(sql[2], "ALTER TABLE items ADD COLUMN price NUMERIC(10, 2)");
  ASSERT_TRUE(state.table("items") != nullptr);
  EXPECT_EQ(state.table("items")->columns.size(), 3u);
}

TEST(ForeignDialectMigrations, AltersInPlaceWhereTheDialectCan) {
  SchemaState state(colon_dialect());
  statements_of({CreateTable{items()}}, state);
  AlterColumn widen{"items", "title", Type::string(80), {}, {}, {}, {}};
  auto sql = statements_of({widen}, state);
  ASSERT_FALSE(sql.empty());
  for (const auto& s : sql) EXPECT_EQ(s.find("CREATE TABLE"), std::string::npos) << s;
  EXPECT_EQ(state.table("items")->columns[1].type, Type::string(80));
}

TEST(ForeignDialectMigrations, OperationsForOtherDialectsRenderNothing) {
  SchemaState state(colon_dialect());
  DropTable only_sqlite{"items", {"sqlite"}};
  statements_of({CreateTable{items()}}, state);
  EXPECT_TRUE(statements_of({only_sqlite}, state).empty());
  EXPECT_TRUE(state.table("items") != nullptr);
  Execute per_dialect{"SELECT 'everywhere else'", {{"sqlite", "SELECT 'sqlite'"}}};
  EXPECT_EQ(statements_of({per_dialect}, state),
            std::vector<std::string>{"SELECT 'everywhere else'"});
}

}  // namespace
}  // namespace strata::test
