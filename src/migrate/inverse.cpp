// Inverse operations: what autogenerate writes as a downgrade, and what `verify` trusts to
// bring a database back to where it was.
#include <fmt/format.h>

#include <algorithm>

#include "../core/overloaded.hpp"
#include "strata/core/error.hpp"
#include "strata/migrate/operations.hpp"

namespace strata::migrate {
namespace {

using strata::detail::Overloaded;

[[noreturn]] void no_inverse(std::string_view what) {
  throw MigrationError(fmt::format("{} has no inverse: write the downgrade by hand", what));
}

const Table& table_in(const SchemaState& state, std::string_view name) {
  const Table* t = state.table(name);
  if (!t) throw MigrationError(fmt::format("table '{}' does not exist at this revision", name));
  return *t;
}

bool mentions(const std::vector<std::string>& columns, std::string_view name) {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

// The column, and everything that dropping it takes with it (see SchemaState::drop_column).
std::vector<Operation> restore_column(const SchemaState& state, const Table& t,
                                      std::string_view name) {
  std::vector<Operation> out{AddColumn{t.name, t.column_or_throw(name)}};
  for (const auto& i : t.indexes) {
    if (state.involves(i, name)) out.push_back(CreateIndex{t.name, i});
  }
  for (const auto& u : t.unique_constraints) {
    if (mentions(u.columns, name)) out.push_back(CreateUniqueConstraint{t.name, u});
  }
  for (const auto& f : t.foreign_keys) {
    if (mentions(f.columns, name)) out.push_back(CreateForeignKey{t.name, f});
  }
  for (const auto& c : t.check_constraints) {
    if (state.involves(c, name)) out.push_back(CreateCheckConstraint{t.name, c});
  }
  if (t.primary_key && mentions(t.primary_key->columns, name)) {
    out.push_back(CreatePrimaryKey{t.name, *t.primary_key});
  }
  return out;
}

template <class T>
const T& named_in(const std::vector<T>& items, std::string_view name, std::string_view what,
                  std::string_view table) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
  if (it == items.end()) {
    throw MigrationError(fmt::format("table '{}' has no {} '{}'", table, what, name));
  }
  return *it;
}

Operation restore_constraint(const DropConstraint& o, const SchemaState& before) {
  const Table& t = table_in(before, o.table);
  switch (o.type) {
    case ConstraintType::unique:
      return CreateUniqueConstraint{
          o.table, named_in(t.unique_constraints, o.name, "unique constraint", t.name)};
    case ConstraintType::foreign_key:
      return CreateForeignKey{o.table, named_in(t.foreign_keys, o.name, "foreign key", t.name)};
    case ConstraintType::check:
      return CreateCheckConstraint{
          o.table, named_in(t.check_constraints, o.name, "check constraint", t.name)};
    case ConstraintType::primary_key:
      break;
  }
  if (!t.primary_key || t.primary_key->name != o.name) {
    throw MigrationError(fmt::format("table '{}' has no primary key '{}'", t.name, o.name));
  }
  return CreatePrimaryKey{o.table, *t.primary_key};
}

// The key goes, and the columns it made NOT NULL become nullable again.
std::vector<Operation> drop_primary_key(const CreatePrimaryKey& o, const SchemaState& before) {
  const Table& t = table_in(before, o.table);
  std::vector<Operation> out{
      DropConstraint{o.table, o.constraint.name, ConstraintType::primary_key}};
  for (const auto& name : o.constraint.columns) {
    if (t.column_or_throw(name).nullable) {
      out.push_back(AlterColumn{o.table, name, std::nullopt, true, std::nullopt, std::nullopt});
    }
  }
  return out;
}

AlterColumn restore_alteration(const AlterColumn& o, const SchemaState& before) {
  const Column& old = table_in(before, o.table).column_or_throw(o.name);
  AlterColumn back{o.table, o.new_name.value_or(o.name), {}, {}, {}, {}};
  if (o.type) back.type = old.type;
  if (o.nullable) back.nullable = old.nullable;
  if (o.server_default) back.server_default = old.server_default;
  if (o.new_name && *o.new_name != o.name) back.new_name = o.name;
  return back;
}

std::vector<Operation> undo(const Operation& op, const SchemaState& before) {
  using Ops = std::vector<Operation>;
  return std::visit(
      Overloaded{
          [&](const CreateTable& o) -> Ops { return {DropTable{o.table.name}}; },
          [&](const DropTable& o) -> Ops { return {CreateTable{table_in(before, o.name)}}; },
          [&](const RenameTable& o) -> Ops {
            return {RenameTable{o.new_name, o.name}};
          },
          [&](const AddColumn& o) -> Ops {
            return {DropColumn{o.table, o.column.name}};
          },
          [&](const DropColumn& o) -> Ops {
            return restore_column(before, table_in(before, o.table), o.name);
          },
          [&](const AlterColumn& o) -> Ops { return {restore_alteration(o, before)}; },
          [&](const CreateIndex& o) -> Ops {
            return {DropIndex{o.table, o.index.name}};
          },
          [&](const DropIndex& o) -> Ops {
            const Table& t = table_in(before, o.table);
            return {CreateIndex{o.table, named_in(t.indexes, o.name, "index", t.name)}};
          },
          [&](const CreateUniqueConstraint& o) -> Ops {
            return {DropConstraint{o.table, o.constraint.name, ConstraintType::unique}};
          },
          [&](const CreateForeignKey& o) -> Ops {
            return {DropConstraint{o.table, o.constraint.name, ConstraintType::foreign_key}};
          },
          [&](const CreateCheckConstraint& o) -> Ops {
            return {DropConstraint{o.table, o.constraint.name, ConstraintType::check}};
          },
          [&](const CreatePrimaryKey& o) -> Ops { return drop_primary_key(o, before); },
          [&](const DropConstraint& o) -> Ops { return {restore_constraint(o, before)}; },
          // Validated rows stay as they were: there is nothing to undo.
          [&](const ValidateConstraint&) -> Ops { return {}; },
          [&](const Execute&) -> Ops { no_inverse("execute"); },
          [&](const BulkInsert& o) -> Ops {
            no_inverse(fmt::format("bulk_insert into '{}'", o.table));
          },
      },
      op);
}

}  // namespace

// An operation of one dialect undoes what it did to that dialect's schema, which `before`
// must be: the others' may not even have the objects it names.
std::vector<Operation> inverse(const Operation& op, const SchemaState& before) {
  if (!before.replays(op)) {
    throw MigrationError(fmt::format(
        "{}: its inverse is worked out on a schema replayed for the dialects it runs on",
        describe_operation(op)));
  }
  std::vector<Operation> out = undo(op, before);
  for (auto& o : out) restrict_to(o, dialects_of(op));
  return out;
}

std::vector<Operation> inverse(const std::vector<Operation>& ops, SchemaState before) {
  std::vector<std::vector<Operation>> undo;
  for (const auto& op : ops) {
    undo.push_back(inverse(op, before));
    before.apply(op);
  }
  std::vector<Operation> out;
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    for (auto& op : *it) out.push_back(std::move(op));
  }
  return out;
}

}  // namespace strata::migrate
