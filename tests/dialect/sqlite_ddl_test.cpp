#include "dialect/sqlite/sqlite_ddl.hpp"

#include <gtest/gtest.h>

namespace strata::detail {
namespace {

using Kind = DdlConstraint::Kind;

TEST(SqlExpression, IndexesForARebuiltShape) {
  // Renames happen at once: x -> y and y -> z do not compound.
  EXPECT_EQ(index_for_new_shape("CREATE UNIQUE INDEX ix_x ON t (x)", {{"x", "y"}, {"y", "z"}}, {}),
            "CREATE UNIQUE INDEX ix_x ON t (y)");
  // Only keys and WHERE hold columns: not the index's name, the table, ASC/DESC or collations.
  EXPECT_EQ(index_for_new_shape("CREATE INDEX email ON email (email COLLATE nocase DESC) WHERE "
                                "\"EMAIL\" <> 'email'",
                                {{"email", "mail"}, {"nocase", "other"}}, {}),
            "CREATE INDEX email ON email (mail COLLATE nocase DESC) WHERE mail <> 'email'");
  EXPECT_EQ(index_for_new_shape("CREATE INDEX note ON t (a DESC)", {}, {"note", "desc"}),
            "CREATE INDEX note ON t (a DESC)");
  EXPECT_EQ(index_for_new_shape("CREATE INDEX ix ON t (a) WHERE b > 0", {}, {"B"}), std::nullopt);
  // CAST's type and a blob literal's x are no columns.
  EXPECT_EQ(index_for_new_shape("CREATE INDEX ix ON msg (CAST(code AS text)) WHERE flags <> x'00'",
                                {{"text", "body"}, {"x", "xx"}}, {"text"}),
            "CREATE INDEX ix ON msg (CAST(code AS text)) WHERE flags <> x'00'");
  EXPECT_TRUE(sqlite_names("CREATE VIEW v AS SELECT * FROM \"ITEMS\"").count("items"));
  EXPECT_FALSE(sqlite_names("CREATE VIEW v AS SELECT 'items' AS x").count("items"));
}

TEST(SqliteDdl, NamedAndUnnamedConstraints) {
  auto t = parse_create_table(R"(CREATE TABLE "Order Lines" (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      "Qty" INT NOT NULL CONSTRAINT qty_positive CHECK ("Qty" > 0),
      sku TEXT UNIQUE,
      order_id INT REFERENCES orders(id) ON DELETE CASCADE,
      note TEXT DEFAULT 'PRIMARY, KEY (x)',  -- a comment, CHECK (no)
      CONSTRAINT uq_pair UNIQUE (order_id, [sku]),
      CHECK (length(sku) < 40),
      CONSTRAINT fk_o FOREIGN KEY (order_id) REFERENCES orders (id)
    ))");
  EXPECT_TRUE(t.autoincrement);
  EXPECT_FALSE(t.without_rowid);
  ASSERT_EQ(t.constraints.size(), 7u);
  EXPECT_EQ(t.constraints[0].kind, Kind::primary_key);
  EXPECT_EQ(t.constraints[0].columns, std::vector<std::string>{"id"});
  EXPECT_EQ(t.constraints[1].kind, Kind::check);
  EXPECT_EQ(t.constraints[1].name, "qty_positive");
  EXPECT_EQ(t.constraints[1].condition, "\"Qty\" > 0");
  EXPECT_EQ(t.constraints[2].kind, Kind::unique);
  EXPECT_EQ(t.constraints[2].name, "");
  EXPECT_EQ(t.constraints[3].kind, Kind::foreign_key);
  EXPECT_EQ(t.constraints[3].columns, std::vector<std::string>{"order_id"});
  EXPECT_EQ(t.constraints[4].name, "uq_pair");
  EXPECT_EQ(t.constraints[4].columns, (std::vector<std::string>{"order_id", "sku"}));
  EXPECT_EQ(t.constraints[5].condition, "length(sku) < 40");
  EXPECT_EQ(t.constraints[6].name, "fk_o");
}

TEST(SqliteDdl, WithoutRowidAndPartialIndex) {
  EXPECT_TRUE(
      parse_create_table("CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID").without_rowid);
  EXPECT_EQ(parse_index_where("CREATE INDEX ix ON t (a, (b + 1)) WHERE a > 0 AND b IS NOT NULL"),
            "a > 0 AND b IS NOT NULL");
  EXPECT_EQ(parse_index_where("CREATE UNIQUE INDEX ix ON t (a)"), "");
}

TEST(SqliteDdl, NamesBeyondAsciiAndQuotesInsideStrings) {
  auto t = parse_create_table(
      "CREATE TABLE t (prix_café REAL CHECK (prix_café > 0), note TEXT CHECK (note <> 'it''s)'))");
  ASSERT_EQ(t.constraints.size(), 2u);
  EXPECT_EQ(t.constraints[0].columns, std::vector<std::string>{"prix_café"});
  EXPECT_EQ(t.constraints[1].condition, "note <> 'it''s)'");
}

// SQLite's text is read, never judged: cut off anywhere, or with a CHECK lacking its
// parenthesis, it gives what it can and nothing past its end.
TEST(SqliteDdl, CutOffTextIsTolerated) {
  auto odd = parse_create_table("CREATE TABLE t (a INT CHECK x)");
  ASSERT_EQ(odd.constraints.size(), 1u);
  EXPECT_EQ(odd.constraints[0].condition, "");
  std::string sql =
      "CREATE TABLE t (a INT CHECK (a > 0), [b c] TEXT DEFAULT 'x', CONSTRAINT k UNIQUE (a)) "
      "WITHOUT ROWID";
  for (std::size_t n = 0; n <= sql.size(); ++n) {
    EXPECT_NO_THROW(parse_create_table(sql.substr(0, n)));
    EXPECT_NO_THROW(parse_index_columns(sql.substr(0, n)));
    EXPECT_NO_THROW(parse_index_where(sql.substr(0, n)));
  }
}

}  // namespace
}  // namespace strata::detail
