// Names in SQL text, as both built-in dialects read them: quoting an identifier, reading a
// quoted one back, and finding or renaming a column in an expression (a CHECK's condition, a
// partial index's WHERE). Private to the library; the dialect layer's `Dialect::quote` and
// SQLite's DDL reading build on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_lexer.hpp"

namespace strata::detail {

// Expressions of either dialect: SQLite's [names], PostgreSQL's E'...' and $$...$$, and
// comments ending at the first */ as SQLite ends them. A PostgreSQL subscript `a[i]` therefore
// reads as a bracketed name: expressions are not told apart by dialect here.
inline constexpr SqlSyntax kExpressionSyntax{false, true, true, true};

// `name` bare when it is lowercase letters, digits and underscores and no reserved word, else
// in double quotes with '"' doubled.
std::string quote_identifier(std::string_view name);
// A quoted name (or string) without its quotes, the doubled quotes undone; other text as it is.
std::string unquote_name(std::string_view text);
// Equal without regard to ASCII case.
bool same_folded(std::string_view a, std::string_view b);

// The name token `i` of `tokens` (significant tokens) stands for: a bare or quoted name that
// does not call a function, is not a blob literal's x'..' prefix nor the type after CAST's AS;
// nullopt for anything else.
std::optional<std::string> name_at(const std::vector<SqlToken>& tokens, std::size_t i);
// Whether token `i` names `column`: bare names without regard to case, quoted ones exactly
// (PostgreSQL's rule; SQLite folds both, which `fold_quoted` asks for).
bool names_column(const std::vector<SqlToken>& tokens, std::size_t i, std::string_view column,
                  bool fold_quoted = false);

// Whether `expression` names `column` (outside string literals, comments and function names),
// and the expression with that column renamed.
// `syntax` is the backend's when the expression is known to be one backend's.
bool expression_names(std::string_view expression, std::string_view column,
                      const SqlSyntax& syntax = kExpressionSyntax);
std::string rename_in_expression(std::string_view expression, std::string_view column,
                                 std::string_view new_name,
                                 const SqlSyntax& syntax = kExpressionSyntax);

}  // namespace strata::detail
