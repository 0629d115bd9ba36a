#include "core/sql_lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace strata::detail {
namespace {

using Kind = SqlTokenKind;
using Expected = std::vector<std::pair<Kind, std::string>>;

Expected lexed(std::string_view sql, const SqlSyntax& syntax = kPostgresSyntax) {
  Expected out;
  std::string joined;
  std::size_t offset = 0;
  for (const SqlToken& t : tokenize_sql(sql, syntax)) {
    EXPECT_EQ(t.offset, offset) << sql;
    EXPECT_FALSE(t.text.empty()) << sql;
    offset = t.end();
    joined += t.text;
    out.emplace_back(t.kind, std::string(t.text));
  }
  EXPECT_EQ(joined, sql);
  return out;
}

TEST(SqlLexer, EveryKindOfToken) {
  EXPECT_EQ(lexed("SELECT a1$x, 4.5e-3 FROM \"T\"\"x\" -- note\n/* c */ WHERE b = 'it''s' "
                  "AND c = $1 OR d = ? OR e = :name"),
            (Expected{{Kind::word, "SELECT"},   {Kind::whitespace, " "},
                      {Kind::word, "a1$x"},     {Kind::op, ","},
                      {Kind::whitespace, " "},  {Kind::number, "4.5e-3"},
                      {Kind::whitespace, " "},  {Kind::word, "FROM"},
                      {Kind::whitespace, " "},  {Kind::quoted_name, "\"T\"\"x\""},
                      {Kind::whitespace, " "},  {Kind::line_comment, "-- note"},
                      {Kind::whitespace, "\n"}, {Kind::block_comment, "/* c */"},
                      {Kind::whitespace, " "},  {Kind::word, "WHERE"},
                      {Kind::whitespace, " "},  {Kind::word, "b"},
                      {Kind::whitespace, " "},  {Kind::op, "="},
                      {Kind::whitespace, " "},  {Kind::string, "'it''s'"},
                      {Kind::whitespace, " "},  {Kind::word, "AND"},
                      {Kind::whitespace, " "},  {Kind::word, "c"},
                      {Kind::whitespace, " "},  {Kind::op, "="},
                      {Kind::whitespace, " "},  {Kind::placeholder, "$1"},
                      {Kind::whitespace, " "},  {Kind::word, "OR"},
                      {Kind::whitespace, " "},  {Kind::word, "d"},
                      {Kind::whitespace, " "},  {Kind::op, "="},
                      {Kind::whitespace, " "},  {Kind::placeholder, "?"},
                      {Kind::whitespace, " "},  {Kind::word, "OR"},
                      {Kind::whitespace, " "},  {Kind::word, "e"},
                      {Kind::whitespace, " "},  {Kind::op, "="},
                      {Kind::whitespace, " "},  {Kind::placeholder, ":name"}}));
}

TEST(SqlLexer, NumbersKeepWhatSticksToThem) {
  EXPECT_EQ(lexed(".5+1.+0x1F-1e"), (Expected{{Kind::number, ".5"},
                                              {Kind::op, "+"},
                                              {Kind::number, "1."},
                                              {Kind::op, "+"},
                                              {Kind::number, "0x1F"},
                                              {Kind::op, "-"},
                                              {Kind::number, "1e"}}));
  EXPECT_EQ(lexed("t.x"), (Expected{{Kind::word, "t"}, {Kind::op, "."}, {Kind::word, "x"}}));
}

TEST(SqlLexer, PlaceholdersCastsAndDoubledQuestionMarks) {
  EXPECT_EQ(lexed("?12 ?? :: :a_1 ?"), (Expected{{Kind::placeholder, "?12"},
                                                 {Kind::whitespace, " "},
                                                 {Kind::op, "??"},
                                                 {Kind::whitespace, " "},
                                                 {Kind::op, "::"},
                                                 {Kind::whitespace, " "},
                                                 {Kind::placeholder, ":a_1"},
                                                 {Kind::whitespace, " "},
                                                 {Kind::placeholder, "?"}}));
  EXPECT_EQ(lexed("x::text"),
            (Expected{{Kind::word, "x"}, {Kind::op, "::"}, {Kind::word, "text"}}));
  EXPECT_EQ(lexed(": 1"),
            (Expected{{Kind::op, ":"}, {Kind::whitespace, " "}, {Kind::number, "1"}}));
}

TEST(SqlLexer, PlaceholdersInsideStringsAndCommentsAreNone) {
  for (auto sql : {"'?'", "'$1'", "\":a\"", "-- ?", "/* :a */", "$$ ? $$", "E'\\' ?'"}) {
    for (const SqlToken& t : tokenize_sql(sql, kPostgresSyntax)) {
      EXPECT_NE(t.kind, Kind::placeholder) << sql;
    }
  }
}

TEST(SqlLexer, DollarQuotesAndNumberedParameters) {
  EXPECT_EQ(lexed("$1 $$a$1$$ $tag$ $$ $x$ $tag$ $"),
            (Expected{{Kind::placeholder, "$1"},
                      {Kind::whitespace, " "},
                      {Kind::dollar_string, "$$a$1$$"},
                      {Kind::whitespace, " "},
                      {Kind::dollar_string, "$tag$ $$ $x$ $tag$"},
                      {Kind::whitespace, " "},
                      {Kind::op, "$"}}));
  // A $ inside a word is part of it, not a quote.
  EXPECT_EQ(lexed("a$b$c"), (Expected{{Kind::word, "a$b$c"}}));
  // SQLite has no dollar quotes.
  EXPECT_EQ(lexed("$a$", kSqliteSyntax), (Expected{{Kind::op, "$"}, {Kind::word, "a$"}}));
}

TEST(SqlLexer, EscapeStringsArePostgresOnly) {
  EXPECT_EQ(
      lexed("E'a\\'b' e'c'"),
      (Expected{{Kind::string, "E'a\\'b'"}, {Kind::whitespace, " "}, {Kind::string, "e'c'"}}));
  EXPECT_EQ(lexed("E'a\\'", kSqliteSyntax), (Expected{{Kind::word, "E"}, {Kind::string, "'a\\'"}}));
  // A word ending in E is no prefix.
  EXPECT_EQ(lexed("THE'x'"), (Expected{{Kind::word, "THE"}, {Kind::string, "'x'"}}));
}

TEST(SqlLexer, QuotedNames) {
  EXPECT_EQ(lexed("`a``b` [c\"d]", kSqliteSyntax), (Expected{{Kind::quoted_name, "`a``b`"},
                                                             {Kind::whitespace, " "},
                                                             {Kind::quoted_name, "[c\"d]"}}));
  // PostgreSQL's [ subscripts.
  EXPECT_EQ(lexed("a[1]"),
            (Expected{{Kind::word, "a"}, {Kind::op, "["}, {Kind::number, "1"}, {Kind::op, "]"}}));
}

TEST(SqlLexer, BlockCommentsNestInPostgresOnly) {
  EXPECT_EQ(lexed("/* a /* b */ c */x"),
            (Expected{{Kind::block_comment, "/* a /* b */ c */"}, {Kind::word, "x"}}));
  EXPECT_EQ(lexed("/* a /* b */ c */x", kSqliteSyntax),
            (Expected{{Kind::block_comment, "/* a /* b */"},
                      {Kind::whitespace, " "},
                      {Kind::word, "c"},
                      {Kind::whitespace, " "},
                      {Kind::op, "*"},
                      {Kind::op, "/"},
                      {Kind::word, "x"}}));
  EXPECT_EQ(lexed("/*/ x */"), (Expected{{Kind::block_comment, "/*/ x */"}}));
}

TEST(SqlLexer, UnterminatedRunsToTheEnd) {
  for (auto sql :
       {"'abc", "'it''", "\"ab", "`a", "E'a\\'", "/* a", "/* /* */", "$$ a", "$t$ a $t", "E'\\"}) {
    auto tokens = tokenize_sql(sql, kPostgresSyntax);
    ASSERT_EQ(tokens.size(), 1u) << sql;
    EXPECT_FALSE(tokens[0].terminated) << sql;
    EXPECT_EQ(tokens[0].text, sql);
  }
  auto bracket = tokenize_sql("[ab", kSqliteSyntax);
  ASSERT_EQ(bracket.size(), 1u);
  EXPECT_FALSE(bracket[0].terminated);
  // A comment to the end of the input is complete.
  EXPECT_TRUE(tokenize_sql("-- a", kSqliteSyntax)[0].terminated);
}

TEST(SqlLexer, SignificantTokensAndKeywords) {
  auto tokens = significant_tokens("create /* x */ Table -- y\n t", kSqliteSyntax);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_TRUE(tokens[0].is_keyword("CREATE"));
  EXPECT_TRUE(tokens[1].is_keyword("TABLE"));
  EXPECT_FALSE(tokens[1].is_keyword("TAB"));
  EXPECT_FALSE(significant_tokens("'TABLE'", kSqliteSyntax)[0].is_keyword("TABLE"));
  EXPECT_TRUE(tokenize_sql("", kSqliteSyntax).empty());
}

TEST(SqlLexer, NonAsciiLettersAreNameCharacters) {
  EXPECT_EQ(lexed("café=1"),
            (Expected{{Kind::word, "café"}, {Kind::op, "="}, {Kind::number, "1"}}));
}

}  // namespace
}  // namespace strata::detail
