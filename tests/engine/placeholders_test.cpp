#include "engine/placeholders.hpp"

#include <gtest/gtest.h>

#include <strata/core/error.hpp>

#include "core/sql_lexer.hpp"

namespace strata::detail {
namespace {

TEST(Placeholders, PositionalBecomeNumbered) {
  auto pg = render_placeholders("SELECT * FROM t WHERE a = ? AND b = ?", '$', kPostgresSyntax);
  EXPECT_EQ(pg.sql, "SELECT * FROM t WHERE a = $1 AND b = $2");
  EXPECT_EQ(pg.param_count, 2);
  EXPECT_TRUE(pg.names.empty());
  // SQLite numbers bare ones the same way, and prepares them in linear time.
  auto lite = render_placeholders("VALUES (?, ?)", '?', kSqliteSyntax);
  EXPECT_EQ(lite.sql, "VALUES (?, ?)");
  EXPECT_EQ(lite.param_count, 2);
}

// Beside a numbered one, SQLite would number a bare `?` above it: positional ones are
// numbered then, so that ?1 stays the first.
TEST(Placeholders, SqliteNumbersPositionalOnesBesideNumberedOnes) {
  auto r = render_placeholders("SELECT ?, ?3, ?", '?', kSqliteSyntax);
  EXPECT_EQ(r.sql, "SELECT ?1, ?3, ?2");
  auto named = render_placeholders("SELECT :a, :b, :a", '?', kSqliteSyntax);
  EXPECT_EQ(named.sql, "SELECT ?1, ?2, ?1");
}

TEST(Placeholders, NamedRepeatShareANumber) {
  auto r = render_placeholders("SELECT :a, :b_2, :a", '$', kPostgresSyntax);
  EXPECT_EQ(r.sql, "SELECT $1, $2, $1");
  EXPECT_EQ(r.names, (std::vector<std::string>{"a", "b_2"}));
  EXPECT_EQ(r.param_count, 2);
}

TEST(Placeholders, LiteralsCommentsCastsAndDollarQuotesAreLeftAlone) {
  const char* sql =
      "SELECT '?', ':x', 'it''s ?', \"odd?col\", x::text, $$ ? :y $$, $tag$ ? $tag$ "
      "-- what ? :z\n/* ? */ FROM t WHERE id = ?";
  auto r = render_placeholders(sql, '$', kPostgresSyntax);
  EXPECT_EQ(r.param_count, 1);
  EXPECT_TRUE(r.sql.ends_with("WHERE id = $1")) << r.sql;
  EXPECT_NE(r.sql.find("x::text"), std::string::npos);
  EXPECT_NE(r.sql.find("$$ ? :y $$"), std::string::npos);
}

TEST(Placeholders, EscapesStringsAndIdentifiersWithDollars) {
  auto r = render_placeholders("SELECT E'it\\'s ?', a$b$c, data ?? 'key', x FROM t WHERE y = ?",
                               '$', kPostgresSyntax);
  EXPECT_EQ(r.param_count, 1);
  EXPECT_EQ(r.sql, "SELECT E'it\\'s ?', a$b$c, data ? 'key', x FROM t WHERE y = $1");
}

// The prefix says whose SQL it is: PostgreSQL's comments nest, SQLite's [names] are names and
// its backslash escapes nothing.
TEST(Placeholders, EachBackendReadsByItsOwnRules) {
  EXPECT_EQ(render_placeholders("SELECT /* a /* b */ ? */ ?", '$', kPostgresSyntax).sql,
            "SELECT /* a /* b */ ? */ $1");
  EXPECT_EQ(render_placeholders("SELECT [a?b], :n FROM t", '?', kSqliteSyntax).sql,
            "SELECT [a?b], ?1 FROM t");
  EXPECT_EQ(render_placeholders("SELECT arr[?]", '$', kPostgresSyntax).sql, "SELECT arr[$1]");
  EXPECT_EQ(render_placeholders("SELECT 'a\\', :n", '?', kSqliteSyntax).sql, "SELECT 'a\\', ?1");
}

TEST(Placeholders, NumberedOnesAndUnterminatedTextStayAsWritten) {
  auto numbered = render_placeholders("SELECT ?2, $1", '?', kSqliteSyntax);
  EXPECT_EQ(numbered.sql, "SELECT ?2, $1");
  EXPECT_EQ(numbered.param_count, 0);
  for (const char* sql : {"SELECT '?", "SELECT \"?", "SELECT /* ?", "SELECT $$ ?"}) {
    auto r = render_placeholders(sql, '$', kPostgresSyntax);
    EXPECT_EQ(r.sql, sql);
    EXPECT_EQ(r.param_count, 0) << sql;
  }
}

TEST(Placeholders, MixingStylesIsAnError) {
  EXPECT_THROW(render_placeholders("SELECT ?, :a", '$', kPostgresSyntax), UsageError);
}

}  // namespace
}  // namespace strata::detail
