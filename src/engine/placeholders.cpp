#include "placeholders.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "strata/core/error.hpp"

namespace strata::detail {
namespace {

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Index just past a quoted run that starts at `i` with `quote`; doubled quotes stay inside.
std::size_t skip_quoted(std::string_view sql, std::size_t i, char quote) {
  for (++i; i < sql.size(); ++i) {
    if (sql[i] != quote) continue;
    if (i + 1 < sql.size() && sql[i + 1] == quote) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return sql.size();
}

// Index just past a PostgreSQL E'...' string starting at the quote `i`, where a backslash
// escapes the next character.
std::size_t skip_escaped(std::string_view sql, std::size_t i) {
  for (++i; i < sql.size(); ++i) {
    if (sql[i] == '\\') {
      ++i;
    } else if (sql[i] == '\'') {
      if (i + 1 < sql.size() && sql[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  return sql.size();
}

// Index just past a PostgreSQL dollar-quoted body ($tag$ ... $tag$) starting at `i`, or `i`
// when the `$` at `i` does not open one.
std::size_t skip_dollar_quoted(std::string_view sql, std::size_t i) {
  std::size_t j = i + 1;
  while (j < sql.size() && ident_char(sql[j])) ++j;
  if (j >= sql.size() || sql[j] != '$') return i;
  std::string_view tag = sql.substr(i, j - i + 1);
  if (tag.size() > 2 && std::isdigit(static_cast<unsigned char>(tag[1]))) return i;
  auto close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

std::size_t skip_comment(std::string_view sql, std::size_t i) {
  if (sql.compare(i, 2, "--") == 0) {
    auto end = sql.find('\n', i);
    return end == std::string_view::npos ? sql.size() : end;
  }
  if (sql.compare(i, 2, "/*") == 0) {
    auto end = sql.find("*/", i + 2);
    return end == std::string_view::npos ? sql.size() : end + 2;
  }
  return i;
}

// Index just past text at `i` that can hold no placeholder (a literal, quoted identifier,
// comment, dollar-quoted body or `::` cast), or `i` itself.
std::size_t skip_inert(std::string_view sql, std::size_t i) {
  char c = sql[i];
  bool after_word = i > 0 && ident_char(sql[i - 1]);
  if ((c == 'E' || c == 'e') && !after_word && i + 1 < sql.size() && sql[i + 1] == '\'') {
    return skip_escaped(sql, i + 1);
  }
  if (c == '\'' || c == '"' || c == '`') return skip_quoted(sql, i, c);
  if (c == '-' || c == '/') return skip_comment(sql, i);
  if (c == '$' && !after_word) return skip_dollar_quoted(sql, i);  // a$b$ is one identifier
  if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') return i + 2;
  return i;
}

// Appends the numbered placeholder for the `?` or `:name` at `i`; returns the index after it.
std::size_t render_one(std::string_view sql, std::size_t i, char prefix, RenderedSql& out) {
  int number = 0;
  std::size_t end = i + 1;
  if (sql[i] == '?') {
    number = ++out.param_count;
  } else {
    while (end < sql.size() && ident_char(sql[end])) ++end;
    std::string name(sql.substr(i + 1, end - i - 1));
    auto found = std::find(out.names.begin(), out.names.end(), name);
    number = static_cast<int>(found - out.names.begin()) + 1;
    if (found == out.names.end()) out.names.push_back(std::move(name));
    out.param_count = static_cast<int>(out.names.size());
  }
  out.sql += prefix;
  out.sql += std::to_string(number);
  return end;
}

}  // namespace

RenderedSql render_placeholders(std::string_view sql, char prefix) {
  RenderedSql out;
  out.sql.reserve(sql.size() + 8);
  bool positional = false;
  std::size_t i = 0;
  while (i < sql.size()) {
    if (std::size_t next = skip_inert(sql, i); next != i) {
      out.sql.append(sql.substr(i, next - i));
      i = next;
      continue;
    }
    char c = sql[i];
    if (c == '?' && i + 1 < sql.size() && sql[i + 1] == '?') {
      out.sql += '?';  // `??` is a literal `?`, for PostgreSQL's jsonb operators
      i += 2;
      continue;
    }
    bool named = c == ':' && i + 1 < sql.size() && ident_start(sql[i + 1]);
    if (c != '?' && !named) {
      out.sql += c;
      ++i;
      continue;
    }
    positional = positional || c == '?';
    i = render_one(sql, i, prefix, out);
    if (positional && !out.names.empty()) {
      throw ProgrammingError("the statement mixes positional (?) and named (:name) parameters",
                             {"", "", 0, std::string(sql), ""});
    }
  }
  return out;
}

}  // namespace strata::detail
