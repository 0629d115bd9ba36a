#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "../core/sql_lexer.hpp"
#include "reflector.hpp"

namespace strata::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Defaults come back from either backend; PostgreSQL's rules read both (SQLite's keep no
// [names] or comments in a default).
std::vector<SqlToken> tokens_of(std::string_view s) {
  return tokenize_sql(s, kPostgresSyntax);
}

// Whether the parenthesis that opens `s` closes at its very end.
bool wrapped(std::string_view s) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return false;
  int depth = 0;
  for (const SqlToken& t : tokens_of(s)) {
    if (t.is("(")) ++depth;
    if (t.is(")") && --depth == 0) return t.end() == s.size();
  }
  return false;
}

// Removes parentheses that wrap the whole text: "((a + b))" -> "a + b".
std::string_view unwrap(std::string_view s) {
  s = trim(s);
  while (wrapped(s)) s = trim(s.substr(1, s.size() - 2));
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A literal read with its column's type: numbers for numeric columns, booleans for booleans.
Value typed(std::string_view text, bool quoted, const Type& type) {
  std::int64_t i = 0;
  auto [iend, iec] = std::from_chars(text.data(), text.data() + text.size(), i);
  bool is_int = !text.empty() && iec == std::errc{} && iend == text.data() + text.size();
  double d = 0;
  auto [dend, dec] = std::from_chars(text.data(), text.data() + text.size(), d);
  bool is_num = !text.empty() && dec == std::errc{} && dend == text.data() + text.size();
  std::string word = lower(text);
  if (type.kind() == TypeKind::boolean) {
    if (word == "true" || word == "t" || (is_int && i != 0)) return Value(true);
    if (word == "false" || word == "f" || (is_int && i == 0)) return Value(false);
  }
  bool numeric_column = type.is_integer() || type.kind() == TypeKind::float32 ||
                        type.kind() == TypeKind::float64 || type.kind() == TypeKind::numeric;
  bool float_column = type.kind() == TypeKind::float32 || type.kind() == TypeKind::float64;
  if ((!quoted || numeric_column) && is_int && !float_column) {
    return Value(i);
  }
  if ((!quoted || numeric_column) && is_num) return Value(d);
  return Value(std::string(text));
}

std::string unquote_literal(std::string_view s) {
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    out += s[i];
    if (s[i] == '\'' && s[i + 1] == '\'') ++i;
  }
  return out;
}

// The end of a quoted literal starting at 0, or npos when `s` does not start with one.
std::size_t literal_end(std::string_view s) {
  auto tokens = tokens_of(s);
  bool literal = !tokens.empty() && tokens[0].kind == SqlTokenKind::string &&
                 tokens[0].text.front() == '\'' && tokens[0].terminated;
  return literal ? tokens[0].end() : std::string_view::npos;
}

// Where the first `::` cast is, outside literals and quoted names; npos when there is none.
std::size_t cast_at(std::string_view s) {
  for (const SqlToken& t : tokens_of(s)) {
    if (t.is("::")) return t.offset;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<ServerDefault> parse_default(std::string_view sql, const Type& type) {
  std::string_view s = unwrap(sql);
  std::string word = lower(s);
  if (s.empty() || word == "null" || word.starts_with("null::")) return std::nullopt;
  if (word == "current_timestamp" || word == "now()" || word == "transaction_timestamp()") {
    return ServerDefault::now();
  }
  if (auto end = literal_end(s); end != std::string_view::npos) {
    std::string_view rest = s.substr(end);
    if (rest.empty() || rest.starts_with("::")) {
      return ServerDefault::value(typed(unquote_literal(s.substr(0, end)), true, type));
    }
  }
  auto cast = cast_at(s);
  std::string_view bare = cast == std::string_view::npos ? s : unwrap(s.substr(0, cast));
  Value v = typed(bare, false, type);
  if (v.kind() != ValueKind::text) return ServerDefault::value(std::move(v));
  return ServerDefault::sql(std::string(s));
}

Table* find_table(std::vector<Table>& tables, std::string_view name) {
  auto it =
      std::find_if(tables.begin(), tables.end(), [&](const Table& t) { return t.name == name; });
  return it == tables.end() ? nullptr : &*it;
}

}  // namespace strata::detail
