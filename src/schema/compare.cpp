#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "../core/sql_lexer.hpp"
#include "strata/schema/table.hpp"

namespace strata {
namespace {

std::string text(const std::optional<ServerDefault>& d) {
  if (!d) return "none";
  switch (d->kind) {
    case ServerDefault::Kind::now:
      return "now";
    case ServerDefault::Kind::expression:
      return "sql(" + d->expression + ")";
    case ServerDefault::Kind::literal:
      return d->literal.to_string();
  }
  return "?";
}

std::string text(const Column& c) {
  std::string generated;
  if (c.generated) {
    generated = fmt::format(" generated ({}) {}", c.generated->expression,
                            c.generated->stored ? "stored" : "virtual");
  }
  return fmt::format("{} {}{}{} default {}{}", c.name, c.type.to_string(),
                     c.nullable ? "" : " not null", c.autoincrement ? " autoincrement" : "",
                     text(c.server_default), generated);
}
std::string text(const PrimaryKey& pk) {
  return fmt::format("{} ({})", pk.name, fmt::join(pk.columns, ", "));
}
std::string text(const Index& i) {
  return fmt::format("{} ({}){}{}", i.name, fmt::join(i.columns, ", "), i.unique ? " unique" : "",
                     i.where.empty() ? "" : " where " + i.where);
}
std::string text(const UniqueConstraint& u) {
  return fmt::format("{} ({})", u.name, fmt::join(u.columns, ", "));
}
std::string text(const ForeignKey& f) {
  return fmt::format("{} ({}) -> {} ({}) on delete {} on update {}", f.name,
                     fmt::join(f.columns, ", "), f.referred_table,
                     fmt::join(f.referred_columns, ", "), to_sql(f.on_delete), to_sql(f.on_update));
}
std::string text(const CheckConstraint& c) {
  return fmt::format("{} ({})", c.name, c.condition);
}

bool same(const Index& a, const Index& b) {
  return a.name == b.name && a.columns == b.columns && a.unique == b.unique &&
         normalize_sql_expression(a.where) == normalize_sql_expression(b.where);
}
bool same(const CheckConstraint& a, const CheckConstraint& b) {
  return a.name == b.name &&
         normalize_sql_expression(a.condition) == normalize_sql_expression(b.condition);
}
template <class T>
bool same(const T& a, const T& b) {
  return a == b;
}

bool same_default(const std::optional<ServerDefault>& a, const std::optional<ServerDefault>& b) {
  if (!a || !b || a->kind != ServerDefault::Kind::expression || b->kind != a->kind) return a == b;
  return normalize_sql_expression(a->expression) == normalize_sql_expression(b->expression);
}

// Compares two lists of named items as sets, in name order.
template <class T>
std::string compare_named(std::string_view what, std::vector<T> expected, std::vector<T> actual) {
  auto by_name = [](const T& a, const T& b) { return a.name < b.name; };
  std::sort(expected.begin(), expected.end(), by_name);
  std::sort(actual.begin(), actual.end(), by_name);
  for (std::size_t i = 0; i < std::max(expected.size(), actual.size()); ++i) {
    if (i >= expected.size()) return fmt::format("unexpected {} {}", what, text(actual[i]));
    if (i >= actual.size()) return fmt::format("missing {} {}", what, text(expected[i]));
    if (!same(expected[i], actual[i])) {
      return fmt::format("{} differs: expected {}, got {}", what, text(expected[i]),
                         text(actual[i]));
    }
  }
  return "";
}

std::string compare_columns(const Table& expected, const Table& actual) {
  for (std::size_t i = 0; i < std::max(expected.columns.size(), actual.columns.size()); ++i) {
    if (i >= expected.columns.size()) return "unexpected column " + text(actual.columns[i]);
    if (i >= actual.columns.size()) return "missing column " + text(expected.columns[i]);
    const Column& e = expected.columns[i];
    const Column& a = actual.columns[i];
    if (e.name != a.name || e.type != a.type || e.nullable != a.nullable ||
        e.autoincrement != a.autoincrement || !same_default(e.server_default, a.server_default) ||
        !same_generated(e.generated, a.generated)) {
      return fmt::format("column differs: expected {}, got {}", text(e), text(a));
    }
  }
  return "";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The pieces of an SQL expression that count: words and numbers lowercased, joined with a `.`
// they touch (t.x, 1.5); strings (an E'' prefix lowercased) and quoted names as written;
// punctuation one character each. Blanks and comments drop out. The text is read by
// PostgreSQL's rules, the form its conditions come back in.
std::vector<std::string> tokens_of(std::string_view sql) {
  using detail::SqlTokenKind;
  std::vector<std::string> out;
  std::size_t glue_at = std::string_view::npos;  // where a word the last piece takes would start
  for (const detail::SqlToken& t : detail::tokenize_sql(sql, detail::kPostgresSyntax)) {
    bool wordlike = t.kind == SqlTokenKind::word || t.kind == SqlTokenKind::number || t.is(".");
    if (wordlike && t.offset == glue_at) {
      out.back() += lower(t.text);
    } else if (wordlike) {
      out.push_back(lower(t.text));
    } else if (t.kind == SqlTokenKind::op) {
      for (char c : t.text) out.emplace_back(1, c);
    } else if (t.kind == SqlTokenKind::string && t.text.front() != '\'') {
      out.push_back(lower(t.text.substr(0, 1)) + std::string(t.text.substr(1)));
    } else if (!t.blank()) {
      out.emplace_back(t.text);
    }
    glue_at = wordlike ? t.end() : std::string_view::npos;
  }
  return out;
}

bool is_word(const std::string& t) {
  return !t.empty() && (std::isalnum(static_cast<unsigned char>(t[0])) || t[0] == '_' ||
                        t[0] == '"' || t[0] == '\'');
}

// Drops `::type` casts, with a multi-word type name and its (p, s) arguments.
std::vector<std::string> without_casts(const std::vector<std::string>& t) {
  static const std::vector<std::string> kSecondWords = {"varying", "precision", "without",
                                                        "with",    "time",      "zone"};
  std::vector<std::string> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!(t[i] == ":" && i + 2 < t.size() && t[i + 1] == ":")) {
      out.push_back(t[i]);
      continue;
    }
    i += 2;  // the type's first word
    while (i + 1 < t.size() &&
           std::find(kSecondWords.begin(), kSecondWords.end(), t[i + 1]) != kSecondWords.end()) {
      ++i;
    }
    if (i + 1 < t.size() && t[i + 1] == "(") {
      while (i < t.size() && t[i] != ")") ++i;
    }
  }
  return out;
}

// Removes parentheses around a single token ("(0)"), unless they are a call's ("now()",
// "lower(x)"), and parentheses that wrap the whole expression.
std::vector<std::string> without_redundant_parens(std::vector<std::string> t) {
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i + 2 < t.size(); ++i) {
      bool call = i > 0 && is_word(t[i - 1]);
      if (t[i] == "(" && t[i + 2] == ")" && !call && t[i + 1] != "(" && t[i + 1] != ")") {
        t.erase(t.begin() + static_cast<std::ptrdiff_t>(i + 2));
        t.erase(t.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
      }
    }
    if (t.size() >= 2 && t.front() == "(" && t.back() == ")") {
      int depth = 0;
      bool wraps = true;
      for (std::size_t i = 0; i + 1 < t.size() && wraps; ++i) {
        depth += t[i] == "(" ? 1 : t[i] == ")" ? -1 : 0;
        wraps = depth > 0;
      }
      if (wraps) {
        t.erase(t.end() - 1);
        t.erase(t.begin());
        changed = true;
      }
    }
  }
  return t;
}

}  // namespace

std::string normalize_sql_expression(std::string_view sql) {
  auto t = without_redundant_parens(without_casts(tokens_of(sql)));
  std::string out;
  for (const auto& token : t) out += (out.empty() ? "" : " ") + token;
  return out;
}

// PostgreSQL keeps a generated column's expression as it deparses it, with the parentheses of
// every operation (`(first || ' '::text) || last`), which normalize_sql_expression keeps: the
// expressions are compared without any parentheses or casts, so a change of grouping alone is
// not seen.
bool same_generated(const std::optional<Generated>& a, const std::optional<Generated>& b) {
  if ((a && a->expression.empty()) || (b && b->expression.empty())) return true;
  if (!a || !b) return !a && !b;
  auto loose = [](std::string_view sql) {
    auto t = without_casts(tokens_of(sql));
    std::erase_if(t, [](const std::string& token) { return token == "(" || token == ")"; });
    return t;
  };
  return a->stored == b->stored && loose(a->expression) == loose(b->expression);
}

std::string describe_difference(const Table& expected, const Table& actual) {
  std::string diff;
  if (expected.name != actual.name) {
    diff = fmt::format("name differs: expected {}, got {}", expected.name, actual.name);
  }
  if (diff.empty()) diff = compare_columns(expected, actual);
  if (diff.empty() && expected.primary_key != actual.primary_key) {
    diff = fmt::format("primary key differs: expected {}, got {}",
                       expected.primary_key ? text(*expected.primary_key) : "none",
                       actual.primary_key ? text(*actual.primary_key) : "none");
  }
  if (diff.empty()) diff = compare_named("index", expected.indexes, actual.indexes);
  if (diff.empty()) {
    diff =
        compare_named("unique constraint", expected.unique_constraints, actual.unique_constraints);
  }
  if (diff.empty()) diff = compare_named("foreign key", expected.foreign_keys, actual.foreign_keys);
  if (diff.empty()) {
    diff = compare_named("check constraint", expected.check_constraints, actual.check_constraints);
  }
  return diff.empty() ? diff : "table " + expected.name + ": " + diff;
}

}  // namespace strata
