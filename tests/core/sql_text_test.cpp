#include "core/sql_text.hpp"

#include <gtest/gtest.h>

namespace strata::detail {
namespace {

TEST(SqlText, UnquotesEveryQuoting) {
  EXPECT_EQ(unquote_name("\"a\"\"b\""), "a\"b");
  EXPECT_EQ(unquote_name("`a``b`"), "a`b");
  EXPECT_EQ(unquote_name("[a b]"), "a b");
  EXPECT_EQ(unquote_name("'it''s'"), "it's");
  EXPECT_EQ(unquote_name("plain"), "plain");
  EXPECT_EQ(unquote_name("\"cut"), "\"cut");
}

TEST(SqlText, ColumnsNamedAndRenamed) {
  EXPECT_TRUE(expression_names("qty > 0", "qty"));
  EXPECT_TRUE(expression_names("QTY > 0 AND price < 10", "qty"));
  EXPECT_TRUE(expression_names("items.\"qty\" > 0", "qty"));
  EXPECT_TRUE(expression_names("[qty] > 0", "qty"));
  EXPECT_FALSE(expression_names("name <> 'qty'", "qty"));
  EXPECT_FALSE(expression_names("quantity > 0 -- qty", "qty"));
  EXPECT_FALSE(expression_names("quantity > 0 /* qty */", "qty"));
  EXPECT_FALSE(expression_names("length(title) > 0", "length"));
  EXPECT_FALSE(expression_names("\"Qty\" > 0", "qty"));  // quoted: the case counts
  EXPECT_EQ(rename_in_expression("qty > 0 AND (Qty < 10 OR name = 'qty')", "qty", "amount"),
            "amount > 0 AND (amount < 10 OR name = 'qty')");
  EXPECT_EQ(rename_in_expression("\"qty\" >= 0", "qty", "Old \"Qty\""), "\"Old \"\"Qty\"\"\" >= 0");
  EXPECT_EQ(rename_in_expression("price > 0", "qty", "amount"), "price > 0");
  EXPECT_EQ(rename_in_expression("sort >= 0", "sort", "order"), "\"order\" >= 0");
}

// The strings of either dialect hide what is in them: '' and PostgreSQL's E'\'' stay inside,
// and so do a -- and a quote in a string.
TEST(SqlText, StringsOfBothDialectsHideNames) {
  EXPECT_EQ(rename_in_expression("note <> 'it''s qty' AND qty > 0", "qty", "amount"),
            "note <> 'it''s qty' AND amount > 0");
  EXPECT_EQ(rename_in_expression("note <> E'it\\'s qty' AND qty > 0", "qty", "amount"),
            "note <> E'it\\'s qty' AND amount > 0");
  EXPECT_EQ(rename_in_expression("note <> '-- qty' AND qty > 0", "qty", "amount"),
            "note <> '-- qty' AND amount > 0");
  EXPECT_FALSE(expression_names("note <> $$qty$$", "qty"));
}

TEST(SqlText, NameTokens) {
  auto tokens = significant_tokens("CAST(a AS text) || lower(b) || x'00' || \"C\"", kSqliteSyntax);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (auto name = name_at(tokens, i)) names.push_back(*name);
  }
  // Keywords read as names: only callers know which words are keywords where.
  EXPECT_EQ(names, (std::vector<std::string>{"a", "AS", "b", "C"}));
  EXPECT_TRUE(names_column(tokens, tokens.size() - 1, "c", true));
  EXPECT_FALSE(names_column(tokens, tokens.size() - 1, "c"));
}

}  // namespace
}  // namespace strata::detail
