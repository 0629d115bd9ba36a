#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "../core/overloaded.hpp"
#include "../core/sql_text.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/migrate/operations.hpp"

namespace strata::migrate {
namespace {

[[noreturn]] void fail(std::string message) {
  throw MigrationError(std::move(message));
}

using strata::detail::Overloaded;

bool mentions(const std::vector<std::string>& columns, std::string_view name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

void rename_in(std::vector<std::string>& columns, std::string_view from, const std::string& to) {
  std::replace(columns.begin(), columns.end(), std::string(from), to);
}

template <class T>
void erase_named(std::vector<T>& items, std::string_view name) {
  std::erase_if(items, [&](const T& item) { return item.name == name; });
}

}  // namespace

std::string_view operation_name(const Operation& op) {
  static constexpr std::string_view kNames[] = {"create_table",
                                                "drop_table",
                                                "rename_table",
                                                "add_column",
                                                "drop_column",
                                                "alter_column",
                                                "create_index",
                                                "drop_index",
                                                "create_unique_constraint",
                                                "create_foreign_key",
                                                "create_check_constraint",
                                                "create_primary_key",
                                                "drop_constraint",
                                                "validate_constraint",
                                                "execute",
                                                "bulk_insert"};
  static_assert(std::size(kNames) == std::variant_size_v<Operation>,
                "a name for every operation, in the variant's order");
  return kNames[op.index()];
}

std::string describe_operation(const Operation& op) {
  std::string what = std::visit(
      Overloaded{
          [](const CreateTable& o) { return o.table.name; },
          [](const DropTable& o) { return o.name; },
          [](const RenameTable& o) { return fmt::format("{} to {}", o.name, o.new_name); },
          [](const AddColumn& o) { return fmt::format("{}.{}", o.table, o.column.name); },
          [](const DropColumn& o) { return fmt::format("{}.{}", o.table, o.name); },
          [](const AlterColumn& o) { return fmt::format("{}.{}", o.table, o.name); },
          [](const CreateIndex& o) { return fmt::format("{} on {}", o.index.name, o.table); },
          [](const DropIndex& o) { return fmt::format("{} on {}", o.name, o.table); },
          [](const CreateUniqueConstraint& o) {
            return fmt::format("{} on {}", o.constraint.name, o.table);
          },
          [](const CreateForeignKey& o) {
            return fmt::format("{} on {}", o.constraint.name, o.table);
          },
          [](const CreateCheckConstraint& o) {
            return fmt::format("{} on {}", o.constraint.name, o.table);
          },
          [](const CreatePrimaryKey& o) {
            return fmt::format("{} on {}", o.constraint.name, o.table);
          },
          [](const DropConstraint& o) { return fmt::format("{} on {}", o.name, o.table); },
          [](const ValidateConstraint& o) { return fmt::format("{} on {}", o.name, o.table); },
          [](const Execute&) { return std::string(); },
          [](const BulkInsert& o) { return fmt::format("{} ({} rows)", o.table, o.rows.size()); },
      },
      op);
  std::string out = what.empty() ? std::string(operation_name(op))
                                 : fmt::format("{} {}", operation_name(op), what);
  const Dialects& only = dialects_of(op);
  return only.empty() ? out : fmt::format("{} ({} only)", out, fmt::join(only, ", "));
}

const Dialects& dialects_of(const Operation& op) {
  return std::visit([](const auto& o) -> const Dialects& { return o.dialects; }, op);
}

bool runs_on(const Operation& op, std::string_view dialect) {
  const Dialects& only = dialects_of(op);
  return only.empty() || std::find(only.begin(), only.end(), dialect) != only.end();
}

void restrict_to(Operation& op, Dialects dialects) {
  std::sort(dialects.begin(), dialects.end());
  dialects.erase(std::unique(dialects.begin(), dialects.end()), dialects.end());
  std::visit([&](auto& o) { o.dialects = std::move(dialects); }, op);
}

SchemaState::SchemaState(const Dialect& dialect) : dialect_(&dialect) {}

bool SchemaState::replays(const Operation& op) const {
  return !dialect_ || runs_on(op, dialect_->name());
}

const Table* SchemaState::table(std::string_view name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

Table& SchemaState::existing(std::string_view name) {
  auto it = tables_.find(name);
  if (it == tables_.end()) fail(fmt::format("table '{}' does not exist at this revision", name));
  return it->second;
}

void SchemaState::apply(const Operation& op) {
  if (!replays(op)) return;
  std::visit(Overloaded{
                 [&](const CreateTable& o) {
                   if (table(o.table.name))
                     fail(fmt::format("table '{}' already exists", o.table.name));
                   tables_.emplace(o.table.name, o.table);
                 },
                 [&](const DropTable& o) {
                   existing(o.name);
                   tables_.erase(o.name);
                 },
                 [&](const RenameTable& o) {
                   if (table(o.new_name))
                     fail(fmt::format("table '{}' already exists", o.new_name));
                   Table moved = std::move(existing(o.name));
                   tables_.erase(o.name);
                   moved.name = o.new_name;
                   tables_.emplace(o.new_name, std::move(moved));
                   for (auto& [name, t] : tables_) {
                     for (auto& fk : t.foreign_keys) {
                       if (fk.referred_table == o.name) fk.referred_table = o.new_name;
                     }
                   }
                 },
                 [&](const AddColumn& o) {
                   Table& t = existing(o.table);
                   if (t.column(o.column.name)) {
                     fail(fmt::format("column '{}.{}' already exists", o.table, o.column.name));
                   }
                   t.columns.push_back(o.column);
                 },
                 [&](const DropColumn& o) { drop_column(existing(o.table), o.name); },
                 [&](const AlterColumn& o) { alter_column(o); },
                 [&](const CreateIndex& o) { existing(o.table).indexes.push_back(o.index); },
                 [&](const DropIndex& o) { erase_named(existing(o.table).indexes, o.name); },
                 [&](const CreateUniqueConstraint& o) {
                   existing(o.table).unique_constraints.push_back(o.constraint);
                 },
                 [&](const CreateForeignKey& o) {
                   existing(o.table).foreign_keys.push_back(o.constraint);
                 },
                 [&](const CreateCheckConstraint& o) {
                   existing(o.table).check_constraints.push_back(o.constraint);
                 },
                 [&](const CreatePrimaryKey& o) { create_primary_key(o); },
                 [&](const DropConstraint& o) { drop_constraint(o); },
                 [&](const ValidateConstraint& o) { validated(o); },
                 [&](const Execute&) {},
                 [&](const BulkInsert& o) { existing(o.table); },
             },
             op);
}

namespace {
// The rules a state's expressions (checks, partial indexes' WHERE) are read by.
const strata::detail::SqlSyntax& syntax_of(const Dialect* dialect) {
  return dialect ? dialect->sql_syntax() : strata::detail::kExpressionSyntax;
}
}  // namespace

bool SchemaState::involves(const Index& index, std::string_view column) const {
  return mentions(index.columns, column) ||
         strata::detail::expression_names(index.where, column, syntax_of(dialect_));
}

bool SchemaState::involves(const CheckConstraint& check, std::string_view column) const {
  return strata::detail::expression_names(check.condition, column, syntax_of(dialect_));
}

void SchemaState::drop_column(Table& t, std::string_view name) {
  if (!t.column(name)) fail(fmt::format("column '{}.{}' does not exist", t.name, name));
  // Neither database drops a column a generated column computes from (PostgreSQL would with
  // CASCADE, taking the generated column along, which strata never asks for).
  for (const Column& other : t.columns) {
    if (other.name == name || !other.generated_by_expression()) continue;
    if (!strata::detail::expression_names(other.generated->expression, name, syntax_of(dialect_)))
      continue;
    fail(
        fmt::format("column '{}.{}' is used by the generated column '{}.{}': drop that column "
                    "first, or make it again without '{}'",
                    t.name, name, t.name, other.name, name));
  }
  std::erase_if(t.columns, [&](const Column& c) { return c.name == name; });
  // What involves the column goes with it, as PostgreSQL does it.
  std::erase_if(t.indexes, [&](const Index& i) { return involves(i, name); });
  std::erase_if(t.check_constraints, [&](const CheckConstraint& c) { return involves(c, name); });
  std::erase_if(t.unique_constraints,
                [&](const UniqueConstraint& u) { return mentions(u.columns, name); });
  std::erase_if(t.foreign_keys, [&](const ForeignKey& f) { return mentions(f.columns, name); });
  if (t.primary_key && mentions(t.primary_key->columns, name)) t.primary_key.reset();
}

void SchemaState::alter_column(const AlterColumn& o) {
  Table& t = existing(o.table);
  Column* c = t.column(o.name);
  if (!c) fail(fmt::format("column '{}.{}' does not exist", o.table, o.name));
  if (o.type) c->type = *o.type;
  if (o.nullable) c->nullable = *o.nullable;
  if (o.server_default && *o.server_default && c->generated) {
    fail(fmt::format("column '{}.{}' is generated: it takes no server_default", o.table, o.name));
  }
  if (o.server_default) c->server_default = *o.server_default;
  if (!o.new_name || *o.new_name == o.name) return;
  if (t.column(*o.new_name))
    fail(fmt::format("column '{}.{}' already exists", o.table, *o.new_name));
  c->name = *o.new_name;
  if (t.primary_key) rename_in(t.primary_key->columns, o.name, *o.new_name);
  for (auto& i : t.indexes) {
    rename_in(i.columns, o.name, *o.new_name);
    i.where =
        strata::detail::rename_in_expression(i.where, o.name, *o.new_name, syntax_of(dialect_));
  }
  for (auto& check : t.check_constraints) {
    check.condition = strata::detail::rename_in_expression(check.condition, o.name, *o.new_name,
                                                           syntax_of(dialect_));
  }
  // Both databases rewrite a generated column's expression on RENAME COLUMN.
  for (auto& other : t.columns) {
    if (!other.generated) continue;
    other.generated->expression = strata::detail::rename_in_expression(
        other.generated->expression, o.name, *o.new_name, syntax_of(dialect_));
  }
  for (auto& u : t.unique_constraints) rename_in(u.columns, o.name, *o.new_name);
  for (auto& f : t.foreign_keys) rename_in(f.columns, o.name, *o.new_name);
  for (auto& [name, other] : tables_) {
    for (auto& f : other.foreign_keys) {
      if (f.referred_table == o.table) rename_in(f.referred_columns, o.name, *o.new_name);
    }
  }
}

// As PostgreSQL does, the key's columns become NOT NULL and stay so once it is dropped.
void SchemaState::create_primary_key(const CreatePrimaryKey& o) {
  Table& t = existing(o.table);
  if (t.primary_key) {
    fail(
        fmt::format("table '{}' already has the primary key '{}': drop it first "
                    "(drop_constraint with type: primary_key)",
                    o.table, t.primary_key->name));
  }
  for (const auto& column : o.constraint.columns) {
    if (!t.column(column)) fail(fmt::format("column '{}.{}' does not exist", o.table, column));
  }
  t.add_primary_key(o.constraint.columns, o.constraint.name);
}

void SchemaState::drop_constraint(const DropConstraint& o) {
  Table& t = existing(o.table);
  switch (o.type) {
    case ConstraintType::primary_key:
      if (!t.primary_key) fail(fmt::format("table '{}' has no primary key", o.table));
      if (t.primary_key->name != o.name) {
        fail(fmt::format("the primary key of table '{}' is named '{}', not '{}'", o.table,
                         t.primary_key->name, o.name));
      }
      t.primary_key.reset();
      break;
    case ConstraintType::unique:
      erase_named(t.unique_constraints, o.name);
      break;
    case ConstraintType::foreign_key:
      erase_named(t.foreign_keys, o.name);
      break;
    case ConstraintType::check:
      erase_named(t.check_constraints, o.name);
      break;
  }
}

// Only a foreign key or a check can be NOT VALID: a name that is neither is a mistake, not a
// no-op.
void SchemaState::validated(const ValidateConstraint& o) {
  const Table& t = existing(o.table);
  auto named = [&](const auto& items) {
    return std::any_of(items.begin(), items.end(),
                       [&](const auto& item) { return item.name == o.name; });
  };
  if (named(t.foreign_keys) || named(t.check_constraints)) return;
  fail(fmt::format("table '{}' has no foreign key or check constraint '{}' to validate", o.table,
                   o.name));
}

}  // namespace strata::migrate
