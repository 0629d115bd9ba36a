#include "sql_lexer.hpp"

#include <optional>

namespace strata::detail {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// Bytes of UTF-8 sequences count as letters, as both backends read them in names.
bool is_letter(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '_' || u >= 0x80;
}
bool is_name_char(char c) {
  return is_letter(c) || is_digit(c);
}

// Where a token ends, and whether it ends as its syntax says or at the end of the input.
struct Scan {
  std::size_t end;
  bool terminated = true;
};

// A run from the opening quote at `i` to `close`; doubled, `close` stands for itself.
Scan quoted(std::string_view s, std::size_t i, char close, bool doubled) {
  for (++i; i < s.size(); ++i) {
    if (s[i] != close) continue;
    if (!doubled || i + 1 >= s.size() || s[i + 1] != close) return {i + 1};
    ++i;
  }
  return {s.size(), false};
}

// E'...' from its quote at `i`: a backslash escapes the next character, '' is a quote too.
Scan escaped(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '\'') {
      if (i + 1 >= s.size() || s[i + 1] != '\'') return {i + 1};
      ++i;
    }
  }
  return {s.size(), false};
}

Scan block_comment(std::string_view s, std::size_t i, bool nested) {
  int depth = 0;
  while (i + 1 < s.size()) {
    if (s[i] == '/' && s[i + 1] == '*' && (nested || depth == 0)) {
      ++depth;
      i += 2;
    } else if (s[i] == '*' && s[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return {i};
    } else {
      ++i;
    }
  }
  return {s.size(), false};
}

// The length of the $tag$ that opens at `i`, or 0 when the `$` opens none (a tag is a name:
// `$1` is a placeholder).
std::size_t dollar_tag(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && is_letter(s[j])) {
    while (j < s.size() && is_name_char(s[j])) ++j;
  }
  return j < s.size() && s[j] == '$' ? j + 1 - i : 0;
}

Scan dollar_string(std::string_view s, std::size_t i, std::size_t tag_size) {
  auto close = s.find(s.substr(i, tag_size), i + tag_size);
  if (close == std::string_view::npos) return {s.size(), false};
  return {close + tag_size};
}

std::size_t digits_end(std::string_view s, std::size_t i) {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

// Letters stuck to a number stay in it (0x1F, 1abc), so that no name is read out of one.
std::size_t number_end(std::string_view s, std::size_t i) {
  i = digits_end(s, i);
  if (i < s.size() && s[i] == '.') i = digits_end(s, i + 1);
  if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t sign = s[i + 1] == '+' || s[i + 1] == '-' ? 1 : 0;
    if (i + 1 + sign < s.size() && is_digit(s[i + 1 + sign])) i = digits_end(s, i + 1 + sign);
  }
  while (i < s.size() && is_name_char(s[i])) ++i;
  return i;
}

std::size_t word_end(std::string_view s, std::size_t i) {
  while (i < s.size() && (is_name_char(s[i]) || s[i] == '$')) ++i;
  return i;
}

struct Lexed {
  SqlTokenKind kind;
  Scan scan;
};

// ?, ?N and ??; :name and ::; $N and a lone $.
Lexed punctuation(std::string_view s, std::size_t i) {
  char c = s[i];
  char next = i + 1 < s.size() ? s[i + 1] : '\0';
  if (c == '?' && next == '?') return {SqlTokenKind::op, {i + 2}};
  if (c == '?') return {SqlTokenKind::placeholder, {digits_end(s, i + 1)}};
  if (c == ':' && next == ':') return {SqlTokenKind::op, {i + 2}};
  if (c == ':' && is_letter(next)) {
    std::size_t end = i + 1;
    while (end < s.size() && is_name_char(s[end])) ++end;
    return {SqlTokenKind::placeholder, {end}};
  }
  if (c == '$' && is_digit(next)) return {SqlTokenKind::placeholder, {digits_end(s, i + 1)}};
  return {SqlTokenKind::op, {i + 1}};
}

// Strings, quoted names, comments and dollar-quoted bodies: what may hold anything.
std::optional<Lexed> enclosed(std::string_view s, std::size_t i, const SqlSyntax& syntax) {
  char c = s[i];
  char next = i + 1 < s.size() ? s[i + 1] : '\0';
  if (c == '\'') return Lexed{SqlTokenKind::string, quoted(s, i, '\'', true)};
  if (c == '"' || c == '`') return Lexed{SqlTokenKind::quoted_name, quoted(s, i, c, true)};
  if (c == '[' && syntax.bracket_names) {
    return Lexed{SqlTokenKind::quoted_name, quoted(s, i, ']', false)};
  }
  if ((c == 'E' || c == 'e') && next == '\'' && syntax.escape_strings) {
    return Lexed{SqlTokenKind::string, escaped(s, i + 1)};
  }
  if (c == '-' && next == '-') {
    auto eol = s.find('\n', i);
    return Lexed{SqlTokenKind::line_comment, {eol == std::string_view::npos ? s.size() : eol}};
  }
  if (c == '/' && next == '*') {
    return Lexed{SqlTokenKind::block_comment, block_comment(s, i, syntax.nested_comments)};
  }
  if (c == '$' && syntax.dollar_quotes) {
    if (std::size_t tag = dollar_tag(s, i)) {
      return Lexed{SqlTokenKind::dollar_string, dollar_string(s, i, tag)};
    }
  }
  return std::nullopt;
}

Lexed lex_one(std::string_view s, std::size_t i, const SqlSyntax& syntax) {
  if (auto e = enclosed(s, i, syntax)) return *e;
  char c = s[i];
  if (is_space(c)) {
    std::size_t end = i + 1;
    while (end < s.size() && is_space(s[end])) ++end;
    return {SqlTokenKind::whitespace, {end}};
  }
  bool fraction = c == '.' && i + 1 < s.size() && is_digit(s[i + 1]);
  if (is_digit(c) || fraction) return {SqlTokenKind::number, {number_end(s, i)}};
  if (is_letter(c)) return {SqlTokenKind::word, {word_end(s, i)}};
  return punctuation(s, i);
}

}  // namespace

bool SqlToken::is_keyword(std::string_view upper) const {
  if (kind != SqlTokenKind::word || text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < upper.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

std::vector<SqlToken> tokenize_sql(std::string_view sql, const SqlSyntax& syntax) {
  std::vector<SqlToken> tokens;
  for (std::size_t i = 0; i < sql.size();) {
    Lexed t = lex_one(sql, i, syntax);
    tokens.push_back({t.kind, sql.substr(i, t.scan.end - i), i, t.scan.terminated});
    i = t.scan.end;
  }
  return tokens;
}

std::vector<SqlToken> significant_tokens(std::string_view sql, const SqlSyntax& syntax) {
  auto tokens = tokenize_sql(sql, syntax);
  std::erase_if(tokens, [](const SqlToken& t) { return t.blank(); });
  return tokens;
}

}  // namespace strata::detail
