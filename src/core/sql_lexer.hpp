// The one SQL tokenizer: every place in strata that reads SQL text (placeholders, the DDL SQLite
// keeps, expressions compared or renamed, defaults read back, offline scripts) splits it here,
// so that a string literal, quoted name or comment means the same to all of them. Private to
// the library.
//
// Tokens cover the input exactly, in order: joining their texts gives the input back. Nothing
// is an error: a string, quoted name or comment the input ends inside runs to the end and is
// marked unterminated, since every caller reads SQL it did not write and must not throw on it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace strata::detail {

// What differs between the backends' lexical rules. A caller that knows its backend takes that
// syntax; one that reads text of either takes the one whose rules fit its text best.
struct SqlSyntax {
  bool nested_comments = false;  // PostgreSQL nests /* */; SQLite ends at the first */
  bool bracket_names = false;    // SQLite's [name]; PostgreSQL's [ is an array subscript
  bool escape_strings = false;   // PostgreSQL's E'...', where a backslash escapes
  bool dollar_quotes = false;    // PostgreSQL's $$...$$ and $tag$...$tag$
};

inline constexpr SqlSyntax kSqliteSyntax{false, true, false, false};
inline constexpr SqlSyntax kPostgresSyntax{true, false, true, true};

enum class SqlTokenKind {
  whitespace,
  line_comment,   // -- up to the end of the line (the newline is whitespace)
  block_comment,  // /* ... */
  string,         // '...' with '' inside, or E'...' (its prefix included)
  dollar_string,  // $$...$$ or $tag$...$tag$
  quoted_name,    // "..." with "" inside, `...` with `` inside, or [...]
  placeholder,    // ?, ?N, $N or :name
  number,         // 42, 1.5, .5, 1e-3, 0x1F (with any letters that stick to it)
  word,           // a keyword or bare identifier; letters, digits, _ and $, not first a digit
  op,             // one punctuation character, or :: or ??
};

struct SqlToken {
  SqlTokenKind kind;
  std::string_view text;  // a view into the input: quotes, prefix and comment markers included
  std::size_t offset = 0;
  bool terminated = true;  // false for a string, quoted name or comment cut off by the end

  std::size_t end() const { return offset + text.size(); }
  bool is(std::string_view punctuation) const {
    return kind == SqlTokenKind::op && text == punctuation;
  }
  // A keyword, compared without regard to case; `upper` is written in capitals.
  bool is_keyword(std::string_view upper) const;
  // Whitespace and comments: text that changes nothing.
  bool blank() const {
    return kind == SqlTokenKind::whitespace || kind == SqlTokenKind::line_comment ||
           kind == SqlTokenKind::block_comment;
  }
};

std::vector<SqlToken> tokenize_sql(std::string_view sql, const SqlSyntax& syntax);
// The tokens without whitespace and comments.
std::vector<SqlToken> significant_tokens(std::string_view sql, const SqlSyntax& syntax);

}  // namespace strata::detail
