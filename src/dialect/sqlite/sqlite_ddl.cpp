#include "sqlite_ddl.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "../../core/sql_text.hpp"

namespace strata::detail {
namespace {

using Tokens = std::vector<SqlToken>;

// The DDL SQLite keeps is SQLite's own text: its comments do not nest, [names] are names.
Tokens tokenize(std::string_view sql) {
  return significant_tokens(sql, kSqliteSyntax);
}

bool is(const SqlToken& t, std::string_view keyword) {
  return t.is_keyword(keyword);
}

// Index of the token closing the parenthesis opened at `open`.
std::size_t matching(const Tokens& t, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < t.size(); ++i) {
    if (t[i].is("(")) ++depth;
    if (t[i].is(")") && --depth == 0) return i;
  }
  return t.size();
}

std::vector<std::string> name_list(const Tokens& t, std::size_t open) {
  std::vector<std::string> names;
  std::size_t close = matching(t, open);
  for (std::size_t i = open + 1; i < close; ++i) {
    if (t[i].is(",")) continue;
    if (is(t[i], "ASC") || is(t[i], "DESC") || is(t[i], "COLLATE")) continue;
    if (i > open + 1 && is(t[i - 1], "COLLATE")) continue;
    names.push_back(unquote_name(t[i].text));
  }
  return names;
}

// Source text strictly inside the parentheses opened at token `open`.
std::string inside(std::string_view sql, const Tokens& t, std::size_t open) {
  std::size_t close = matching(t, open);
  if (close >= t.size()) return "";
  return std::string(sql.substr(t[open].end(), t[close].offset - t[open].end()));
}

// Parses constraints from tokens [i, last) of one column or table element.
void read_constraints(std::string_view sql, const Tokens& t, std::size_t i, std::size_t last,
                      const std::string& column, DdlTable& out) {
  std::string name;
  for (; i < last; ++i) {
    if (is(t[i], "CONSTRAINT") && i + 1 < last) {
      name = unquote_name(t[++i].text);
      continue;
    }
    DdlConstraint c{DdlConstraint::Kind::check, name, {}, ""};
    bool found = true;
    bool has_list = i + 2 < last && t[i + 2].is("(");
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
    } else if (is(t[i], "AS") && !column.empty() && i + 1 < last && t[i + 1].is("(")) {
      // [GENERATED ALWAYS] AS (expression) [STORED | VIRTUAL]
      DdlGenerated g{inside(sql, t, i + 1), false};
      i = matching(t, i + 1);
      if (i + 1 < last && (is(t[i + 1], "STORED") || is(t[i + 1], "VIRTUAL"))) {
        g.stored = is(t[++i], "STORED");
      }
      out.generated[fold_case(column)] = std::move(g);
      name.clear();
      found = false;
    } else if (is(t[i], "REFERENCES") && !column.empty()) {
      c.kind = DdlConstraint::Kind::foreign_key;
      c.columns = {column};
    } else {
      found = false;
    }
    if (i < last && is(t[i], "AUTOINCREMENT")) out.autoincrement = true;
    if (found) {
      out.constraints.push_back(std::move(c));
      name.clear();
    }
  }
}

bool starts_table_constraint(const SqlToken& t) {
  return is(t, "CONSTRAINT") || is(t, "PRIMARY") || is(t, "UNIQUE") || is(t, "CHECK") ||
         is(t, "FOREIGN");
}

}  // namespace

DdlTable parse_create_table(std::string_view sql) {
  DdlTable out;
  auto t = tokenize(sql);
  std::size_t open = 0;
  while (open < t.size() && !t[open].is("(")) ++open;
  std::size_t close = matching(t, open);
  if (close >= t.size()) return out;
  for (std::size_t i = close + 1; i + 1 < t.size(); ++i) {
    if (is(t[i], "WITHOUT") && is(t[i + 1], "ROWID")) out.without_rowid = true;
  }
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (t[i].is("(")) ++depth;
    if (t[i].is(")")) --depth;
    if (!(i == close || (depth == 0 && t[i].is(",")))) continue;
    if (start < i) {
      bool table_level = starts_table_constraint(t[start]);
      std::string column = table_level ? "" : unquote_name(t[start].text);
      read_constraints(sql, t, table_level ? start : start + 1, i, column, out);
    }
    start = i + 1;
  }
  return out;
}

std::vector<std::string> parse_index_columns(std::string_view sql) {
  auto t = tokenize(sql);
  std::size_t open = 0;
  while (open < t.size() && !t[open].is("(")) ++open;
  std::size_t close = matching(t, open);
  std::vector<std::string> keys;
  if (close >= t.size()) return keys;
  std::size_t start = open + 1;
  int depth = 0;
  for (std::size_t i = open + 1; i <= close; ++i) {
    if (t[i].is("(")) ++depth;
    if (t[i].is(")")) --depth;
    if (i != close && !(depth == 0 && t[i].is(","))) continue;
    std::size_t last = i;
    if (last > start && (is(t[last - 1], "ASC") || is(t[last - 1], "DESC"))) --last;
    if (last == start + 1) {
      keys.push_back(unquote_name(t[start].text));
    } else if (last > start) {
      keys.emplace_back(sql.substr(t[start].offset, t[last - 1].end() - t[start].offset));
    }
    start = i + 1;
  }
  return keys;
}

std::string parse_index_where(std::string_view sql) {
  auto t = tokenize(sql);
  int depth = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].is("(")) ++depth;
    if (t[i].is(")")) --depth;
    if (depth == 0 && is(t[i], "WHERE") && i + 1 < t.size()) {
      std::string_view rest = sql.substr(t[i + 1].offset);
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

// The tokens of a CREATE INDEX that hold column names: the key list (without ASC, DESC and
// collation names) and the WHERE clause.
std::vector<std::size_t> index_column_tokens(const Tokens& tokens) {
  std::size_t i = 0;
  while (i < tokens.size() && !is(tokens[i], "ON")) ++i;
  while (i < tokens.size() && !tokens[i].is("(")) ++i;
  std::vector<std::size_t> out;
  int depth = 0;
  for (; i < tokens.size(); ++i) {
    if (tokens[i].is("(")) ++depth;
    if (tokens[i].is(")") && --depth == 0) break;
    bool keyword = is(tokens[i], "ASC") || is(tokens[i], "DESC") || is(tokens[i], "COLLATE");
    if (!keyword && !is(tokens[i - 1], "COLLATE")) out.push_back(i);
  }
  while (i < tokens.size() && !is(tokens[i], "WHERE")) ++i;
  for (++i; i < tokens.size(); ++i) out.push_back(i);
  return out;
}

}  // namespace

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
    out.append(create_index.substr(done, tokens[i].offset - done));
    out += quote_identifier(renamed->second);
    done = tokens[i].end();
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
