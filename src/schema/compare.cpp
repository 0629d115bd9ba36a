#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

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
  return fmt::format("{} {}{}{} default {}", c.name, c.type.to_string(),
                     c.nullable ? "" : " not null", c.autoincrement ? " autoincrement" : "",
                     text(c.server_default));
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
        e.autoincrement != a.autoincrement || !same_default(e.server_default, a.server_default)) {
      return fmt::format("column differs: expected {}, got {}", text(e), text(a));
    }
  }
  return "";
}

// The index just past the type name of a cast whose name starts at `i`.
std::size_t cast_end(std::string_view sql, std::size_t i) {
  static constexpr std::string_view kMultiWord[] = {
      "character varying",        "double precision",       "timestamp without time zone",
      "timestamp with time zone", "time without time zone", "time with time zone"};
  for (auto name : kMultiWord) {
    if (sql.compare(i, name.size(), name) == 0) return i + name.size();
  }
  while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) ++i;
  return i;
}

}  // namespace

std::string normalize_sql_expression(std::string_view sql) {
  std::string out;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') {
      auto end = sql.find('\'', i + 1);
      end = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {
      i = cast_end(sql, i + 2) - 1;
    } else if (!std::isspace(static_cast<unsigned char>(c)) && c != '(' && c != ')') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
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
