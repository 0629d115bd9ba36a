#include "strata/schema/table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "strata/core/error.hpp"

namespace strata {
namespace {

std::string normalized_action(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

FkAction parse_fk_action(std::string_view text) {
  std::string action = normalized_action(text);
  if (action == "cascade") return FkAction::cascade;
  if (action == "set null") return FkAction::set_null;
  if (action == "set default") return FkAction::set_default;
  if (action == "restrict") return FkAction::restrict;
  if (action == "no action" || action.empty()) return FkAction::no_action;
  throw UsageError(fmt::format(
      "unknown foreign key action '{}': expected cascade, set null, set default, restrict or "
      "no action",
      text));
}

std::string_view to_sql(FkAction action) noexcept {
  switch (action) {
    case FkAction::cascade:
      return "CASCADE";
    case FkAction::set_null:
      return "SET NULL";
    case FkAction::set_default:
      return "SET DEFAULT";
    case FkAction::restrict:
      return "RESTRICT";
    case FkAction::no_action:
      return "NO ACTION";
  }
  return "NO ACTION";
}

Column& Column::references(std::string_view target, FkAction on_delete, FkAction on_update) {
  auto dot = target.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == target.size()) {
    throw UsageError(fmt::format("foreign key of column '{}' refers to '{}': expected table.column",
                                 name, target));
  }
  ForeignKey fk;
  fk.columns = {name};
  fk.referred_table = std::string(target.substr(0, dot));
  fk.referred_columns = {std::string(target.substr(dot + 1))};
  fk.on_delete = on_delete;
  fk.on_update = on_update;
  pending.foreign_key = std::move(fk);
  return *this;
}

Table::Table(std::string table_name, std::vector<Column> table_columns)
    : name(std::move(table_name)), columns(std::move(table_columns)) {
  std::vector<std::string> pk;
  for (const auto& c : columns) {
    if (c.pending.primary_key) pk.push_back(c.name);
  }
  for (auto& c : columns) {
    auto& p = c.pending;
    if (p.primary_key && pk.size() == 1 && c.type.is_integer() && !p.autoincrement) {
      c.autoincrement = true;
    }
    if (p.unique) add_unique({c.name});
    if (p.index) add_index({c.name});
    if (p.foreign_key) add_foreign_key(std::move(*p.foreign_key));
    if (p.check) add_check(std::move(*p.check), c.name);
    p = {};
  }
  if (!pk.empty()) add_primary_key(std::move(pk));
}

Table& Table::add_primary_key(std::vector<std::string> cols, std::string constraint_name) {
  for (const auto& c : cols) {
    if (auto* col = column(c)) col->nullable = false;
  }
  primary_key = PrimaryKey{std::move(constraint_name), std::move(cols)};
  return *this;
}

Table& Table::add_index(std::vector<std::string> cols, bool is_unique, std::string where,
                        std::string index_name) {
  indexes.push_back(Index{std::move(index_name), std::move(cols), is_unique, std::move(where)});
  return *this;
}

Table& Table::add_unique(std::vector<std::string> cols, std::string constraint_name) {
  unique_constraints.push_back(UniqueConstraint{std::move(constraint_name), std::move(cols)});
  return *this;
}

Table& Table::add_foreign_key(ForeignKey fk) {
  foreign_keys.push_back(std::move(fk));
  return *this;
}

Table& Table::add_check(std::string condition, std::string check_name) {
  check_constraints.push_back(CheckConstraint{std::move(check_name), std::move(condition)});
  return *this;
}

const Column* Table::column(std::string_view column_name) const {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const Column& c) { return c.name == column_name; });
  return it == columns.end() ? nullptr : &*it;
}

Column* Table::column(std::string_view column_name) {
  return const_cast<Column*>(std::as_const(*this).column(column_name));
}

const Column& Table::column_or_throw(std::string_view column_name) const {
  if (const auto* c = column(column_name)) return *c;
  throw UsageError(fmt::format("table '{}' has no column '{}'", name, column_name));
}

bool effective_nullable(const Table& table, const Column& column) {
  if (!column.nullable || !table.primary_key) return column.nullable;
  const auto& key = table.primary_key->columns;
  return std::find(key.begin(), key.end(), column.name) == key.end();
}

}  // namespace strata
