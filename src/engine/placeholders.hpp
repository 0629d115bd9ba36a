// Rewrites the placeholders users write (`?` positional, `:name` named) into the backend's
// numbered form (?N for SQLite, $N for PostgreSQL; on SQLite a statement of `?` alone keeps
// them, which SQLite numbers the same way), skipping string literals, quoted
// identifiers, comments, dollar-quoted bodies and `::` casts as that backend reads them
// (its SqlSyntax, core/sql_lexer.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::detail {

struct SqlSyntax;

struct RenderedSql {
  std::string sql;
  std::vector<std::string> names;  // by placeholder number; empty for positional parameters
  int param_count = 0;
};

// `prefix` and `syntax` are the backend's: '?' or '$', and how it reads its SQL. Throws
// UsageError when positional and named placeholders are mixed.
RenderedSql render_placeholders(std::string_view sql, char prefix, const SqlSyntax& syntax);

}  // namespace strata::detail
