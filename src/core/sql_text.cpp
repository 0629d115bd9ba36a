#include "sql_text.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace strata::detail {
namespace {

// Words either backend reserves; quoting them everywhere keeps DDL portable.
constexpr std::string_view kReserved[] = {
    "abort",        "all",       "alter",        "analyze",      "and",
    "any",          "array",     "as",           "asc",          "between",
    "both",         "by",        "case",         "cast",         "check",
    "collate",      "column",    "commit",       "constraint",   "create",
    "cross",        "current",   "current_date", "current_time", "current_timestamp",
    "current_user", "default",   "deferrable",   "delete",       "desc",
    "distinct",     "do",        "drop",         "else",         "end",
    "escape",       "except",    "exists",       "false",        "fetch",
    "for",          "foreign",   "from",         "full",         "grant",
    "group",        "having",    "if",           "in",           "index",
    "inner",        "insert",    "intersect",    "into",         "is",
    "isnull",       "join",      "key",          "leading",      "left",
    "like",         "limit",     "natural",      "not",          "notnull",
    "null",         "offset",    "on",           "only",         "or",
    "order",        "outer",     "over",         "placing",      "primary",
    "references",   "returning", "right",        "select",       "session_user",
    "set",          "some",      "symmetric",    "table",        "then",
    "to",           "trailing",  "transaction",  "true",         "union",
    "unique",       "update",    "user",         "using",        "values",
    "when",         "where",     "window",       "with",         "view",
    "rowid",        "trigger"};

bool plain_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  // Sorted once, so that quoting a name costs a binary search, not a scan.
  static const std::vector<std::string_view> sorted = [] {
    std::vector<std::string_view> words(std::begin(kReserved), std::end(kReserved));
    std::sort(words.begin(), words.end());
    return words;
  }();
  return !std::binary_search(sorted.begin(), sorted.end(), name);
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  if (plain_identifier(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string unquote_name(std::string_view text) {
  if (text.size() < 2) return std::string(text);
  char open = text.front();
  char close = open == '[' ? ']' : open;
  if ((open != '"' && open != '`' && open != '[' && open != '\'') || text.back() != close) {
    return std::string(text);
  }
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    out += text[i];
    if (text[i] == close && close != ']' && i + 2 < text.size() && text[i + 1] == close) ++i;
  }
  return out;
}

bool same_folded(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> name_at(const std::vector<SqlToken>& tokens, std::size_t i) {
  const SqlToken& t = tokens[i];
  bool quoted = t.kind == SqlTokenKind::quoted_name;
  if (!quoted && t.kind != SqlTokenKind::word) return std::nullopt;
  if (i + 1 < tokens.size() && tokens[i + 1].is("(")) return std::nullopt;
  if (quoted) return unquote_name(t.text);
  bool blob = (t.text == "x" || t.text == "X") && i + 1 < tokens.size() &&
              tokens[i + 1].offset == t.end() && tokens[i + 1].kind == SqlTokenKind::string;
  if (blob || (i > 0 && tokens[i - 1].is_keyword("AS"))) return std::nullopt;
  return std::string(t.text);
}

bool names_column(const std::vector<SqlToken>& tokens, std::size_t i, std::string_view column,
                  bool fold_quoted) {
  auto name = name_at(tokens, i);
  if (!name) return false;
  bool quoted = tokens[i].kind == SqlTokenKind::quoted_name;
  return quoted && !fold_quoted ? *name == column : same_folded(*name, column);
}

bool expression_names(std::string_view expression, std::string_view column,
                      const SqlSyntax& syntax) {
  auto tokens = significant_tokens(expression, syntax);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (names_column(tokens, i, column)) return true;
  }
  return false;
}

std::string rename_in_expression(std::string_view expression, std::string_view column,
                                 std::string_view new_name, const SqlSyntax& syntax) {
  std::string quoted = quote_identifier(new_name);
  auto tokens = significant_tokens(expression, syntax);
  std::string out;
  std::size_t done = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!names_column(tokens, i, column)) continue;
    out.append(expression.substr(done, tokens[i].offset - done));
    out += quoted;
    done = tokens[i].end();
  }
  out.append(expression.substr(done));
  return out;
}

}  // namespace strata::detail
