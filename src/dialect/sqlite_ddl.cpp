#include "sqlite_ddl.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

namespace strata::detail {
namespace {

struct Token {
  std::string_view text;  // as in the source, quotes included
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

std::size_t quoted_end(std::string_view s, std::size_t i, char close) {
  for (++i; i < s.size(); ++i) {
    if (s[i] != close) continue;
    if (i + 1 < s.size() && s[i + 1] == close && close != ']') {
      ++i;
      continue;
    }
    return i + 1;
  }
  return s.size();
}

std::size_t token_end(std::string_view s, std::size_t i) {
  char c = s[i];
  if (c == '\'' || c == '"' || c == '`') return quoted_end(s, i, c);
  if (c == '[') return quoted_end(s, i, ']');
  if (!word_char(c)) return i + 1;
  while (i < s.size() && word_char(s[i])) ++i;
  return i;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      i = std::min(s.find('\n', i), s.size());
    } else if (s.compare(i, 2, "/*") == 0) {
      auto close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else {
      std::size_t end = token_end(s, i);
      tokens.push_back({s.substr(i, end - i), i, end});
      i = end;
    }
  }
  return tokens;
}

bool is(const Token& t, std::string_view word) {
  if (t.text.size() != word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(t.text[i])) != word[i]) return false;
  }
  return true;
}

// An identifier without its quotes (doubled quotes undone).
std::string unquote(std::string_view text) {
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

using Span = std::pair<std::size_t, std::size_t>;  // token indexes [first, last)

// Index of the token closing the parenthesis opened at `open`.
std::size_t matching(const std::vector<Token>& t, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < t.size(); ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")" && --depth == 0) return i;
  }
  return t.size();
}

std::vector<std::string> name_list(const std::vector<Token>& t, std::size_t open) {
  std::vector<std::string> names;
  std::size_t close = matching(t, open);
  for (std::size_t i = open + 1; i < close; ++i) {
    if (t[i].text == ",") continue;
    if (is(t[i], "ASC") || is(t[i], "DESC") || is(t[i], "COLLATE")) continue;
    if (i > open + 1 && is(t[i - 1], "COLLATE")) continue;
    names.push_back(unquote(t[i].text));
  }
  return names;
}

// Source text strictly inside the parentheses opened at token `open`.
std::string inside(std::string_view sql, const std::vector<Token>& t, std::size_t open) {
  std::size_t close = matching(t, open);
  if (close >= t.size()) return "";
  return std::string(sql.substr(t[open].end, t[close].begin - t[open].end));
}

// Parses constraints from tokens [i, last) of one column or table element.
void read_constraints(std::string_view sql, const std::vector<Token>& t, std::size_t i,
                      std::size_t last, const std::string& column, DdlTable& out) {
  std::string name;
  for (; i < last; ++i) {
    if (is(t[i], "CONSTRAINT") && i + 1 < last) {
      name = unquote(t[++i].text);
      continue;
    }
    DdlConstraint c{DdlConstraint::Kind::check, name, {}, ""};
    bool found = true;
    bool has_list = i + 2 < last && t[i + 2].text == "(";
    if (is(t[i], "PRIMARY")) {
      c.kind = DdlConstraint::Kind::primary_key;
      c.columns = column.empty() && has_list ? name_list(t, i + 2) : std::vector{column};
    } else if (is(t[i], "UNIQUE")) {
      c.kind = DdlConstraint::Kind::unique;
      c.columns = column.empty() && i + 1 < last ? name_list(t, i + 1) : std::vector{column};
    } else if (is(t[i], "CHECK") && i + 1 < last) {
      c.condition = inside(sql, t, i + 1);
      if (!column.empty()) c.columns = {column};
      i = matching(t, i + 1);
    } else if (is(t[i], "FOREIGN") && has_list) {
      c.kind = DdlConstraint::Kind::foreign_key;
      c.columns = name_list(t, i + 2);
    } else if (is(t[i], "REFERENCES") && !column.empty()) {
      c.kind = DdlConstraint::Kind::foreign_key;
      c.columns = {column};
    } else {
      found = false;
    }
    if (is(t[i], "AUTOINCREMENT")) out.autoincrement = true;
    if (found) {
      out.constraints.push_back(std::move(c));
      name.clear();
    }
  }
}

bool starts_table_constraint(const Token& t) {
  return is(t, "CONSTRAINT") || is(t, "PRIMARY") || is(t, "UNIQUE") || is(t, "CHECK") ||
         is(t, "FOREIGN");
}

}  // namespace

DdlTable parse_create_table(std::string_view sql) {
  DdlTable out;
  auto t = tokenize(sql);
  std::size_t open = 0;
  while (open < t.size() && t[open].text != "(") ++open;
  std::size_t close = matching(t, open);
  if (close >= t.size()) return out;
  for (std::size_t i = close + 1; i + 1 < t.size(); ++i) {
    if (is(t[i], "WITHOUT") && is(t[i + 1], "ROWID")) out.without_rowid = true;
  }
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (!(i == close || (depth == 0 && t[i].text == ","))) continue;
    if (start < i) {
      bool table_level = starts_table_constraint(t[start]);
      std::string column = table_level ? "" : unquote(t[start].text);
      read_constraints(sql, t, table_level ? start : start + 1, i, column, out);
    }
    start = i + 1;
  }
  return out;
}

std::vector<std::string> parse_index_columns(std::string_view sql) {
  auto t = tokenize(sql);
  std::size_t open = 0;
  while (open < t.size() && t[open].text != "(") ++open;
  std::size_t close = matching(t, open);
  std::vector<std::string> keys;
  if (close >= t.size()) return keys;
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (i != close && !(depth == 0 && t[i].text == ",")) continue;
    std::size_t last = i;
    if (last > start && (is(t[last - 1], "ASC") || is(t[last - 1], "DESC"))) --last;
    if (last == start + 1) {
      keys.push_back(unquote(t[start].text));
    } else if (last > start) {
      keys.emplace_back(sql.substr(t[start].begin, t[last - 1].end - t[start].begin));
    }
    start = i + 1;
  }
  return keys;
}

std::string parse_index_where(std::string_view sql) {
  auto t = tokenize(sql);
  int depth = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].text == "(") ++depth;
    if (t[i].text == ")") --depth;
    if (depth == 0 && is(t[i], "WHERE") && i + 1 < t.size()) {
      std::string_view rest = sql.substr(t[i + 1].begin);
      while (!rest.empty() &&
             (rest.back() == ';' || std::isspace(static_cast<unsigned char>(rest.back())))) {
        rest.remove_suffix(1);
      }
      return std::string(rest);
    }
  }
  return "";
}

namespace {

// Whether token `i` names a column: an identifier that is not a string literal and does not
// call a function.
bool same_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(a[k])) !=
        std::tolower(static_cast<unsigned char>(b[k]))) {
      return false;
    }
  }
  return true;
}

// The name token `i` stands for: an identifier that is not a string literal and does not call
// a function; nullopt for anything else.
std::optional<std::string> name_at(const std::vector<Token>& tokens, std::size_t i) {
  const Token& t = tokens[i];
  if (t.text.empty() || t.text.front() == '\'') return std::nullopt;
  if (i + 1 < tokens.size() && tokens[i + 1].text == "(") return std::nullopt;
  bool quoted = t.text.front() == '"' || t.text.front() == '`' || t.text.front() == '[';
  if (quoted) return unquote(t.text);
  if (!word_char(t.text.front()) || std::isdigit(static_cast<unsigned char>(t.text.front()))) {
    return std::nullopt;
  }
  // A blob literal's x'..' prefix, and the type after CAST's AS, are no names.
  bool blob = (t.text == "x" || t.text == "X") && i + 1 < tokens.size() &&
              tokens[i + 1].begin == t.end && tokens[i + 1].text.front() == '\'';
  if (blob || (i > 0 && is(tokens[i - 1], "AS"))) return std::nullopt;
  return std::string(t.text);
}

// Whether token `i` names `column`: bare names without regard to case, quoted ones exactly
// (PostgreSQL's rule; SQLite folds both, which `fold_quoted` asks for).
bool names_column(const std::vector<Token>& tokens, std::size_t i, std::string_view column,
                  bool fold_quoted = false) {
  auto name = name_at(tokens, i);
  if (!name) return false;
  char first = tokens[i].text.front();
  bool quoted = first == '"' || first == '`' || first == '[';
  return quoted && !fold_quoted ? *name == column : same_folded(*name, column);
}

// The token spans of a CREATE INDEX that hold column names: the key list (without ASC, DESC
// and collation names) and the WHERE clause.
std::vector<std::size_t> index_column_tokens(const std::vector<Token>& tokens) {
  std::size_t i = 0;
  while (i < tokens.size() && !is(tokens[i], "ON")) ++i;
  while (i < tokens.size() && tokens[i].text != "(") ++i;
  std::vector<std::size_t> out;
  int depth = 0;
  for (; i < tokens.size(); ++i) {
    if (tokens[i].text == "(") ++depth;
    if (tokens[i].text == ")" && --depth == 0) break;
    bool keyword = is(tokens[i], "ASC") || is(tokens[i], "DESC") || is(tokens[i], "COLLATE");
    if (!keyword && !is(tokens[i - 1], "COLLATE")) out.push_back(i);
  }
  while (i < tokens.size() && !is(tokens[i], "WHERE")) ++i;
  for (++i; i < tokens.size(); ++i) out.push_back(i);
  return out;
}

}  // namespace

bool expression_names(std::string_view expression, std::string_view column) {
  auto tokens = tokenize(expression);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (names_column(tokens, i, column)) return true;
  }
  return false;
}

std::string rename_in_expression(std::string_view expression, std::string_view column,
                                 std::string_view new_name) {
  std::string quoted = quote_identifier(new_name);
  auto tokens = tokenize(expression);
  std::string out;
  std::size_t done = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (!names_column(tokens, i, column)) continue;
    out.append(expression.substr(done, tokens[i].begin - done));
    out += quoted;
    done = tokens[i].end;
  }
  out.append(expression.substr(done));
  return out;
}

std::optional<std::string> index_for_new_shape(std::string_view create_index,
                                               const std::map<std::string, std::string>& renames,
                                               const std::vector<std::string>& dropped) {
  auto tokens = tokenize(create_index);
  std::string out;
  std::size_t done = 0;
  for (std::size_t i : index_column_tokens(tokens)) {
    for (const auto& column : dropped) {
      if (names_column(tokens, i, column, true)) return std::nullopt;
    }
    auto name = name_at(tokens, i);
    if (!name) continue;
    auto renamed = std::find_if(renames.begin(), renames.end(),
                                [&](const auto& r) { return same_folded(r.first, *name); });
    if (renamed == renames.end()) continue;
    out.append(create_index.substr(done, tokens[i].begin - done));
    out += quote_identifier(renamed->second);
    done = tokens[i].end;
  }
  out.append(create_index.substr(done));
  return out;
}

std::set<std::string> sqlite_names(std::string_view sql) {
  auto tokens = tokenize(sql);
  std::set<std::string> out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto name = name_at(tokens, i);
    if (name) out.insert(fold_case(*name));
  }
  return out;
}

std::string fold_case(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace strata::detail
