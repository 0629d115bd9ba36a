#include "strata/migrate/render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "strata/core/error.hpp"

namespace strata::migrate {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};

const Table& table_in(const SchemaState& state, std::string_view name) {
  const Table* t = state.table(name);
  if (!t) throw MigrationError(fmt::format("table '{}' does not exist at this revision", name));
  return *t;
}

// The operation applied to a copy of the table, for a rebuild to the new shape.
Table after(const SchemaState& before, const Operation& op, std::string_view table) {
  SchemaState state = before;
  state.apply(op);
  return *state.table(table);
}

RenderedOperation rebuild(const SchemaState& before, const Operation& op, std::string_view table,
                          const Dialect& dialect,
                          const std::vector<std::pair<std::string, std::string>>& renamed = {}) {
  const Table& from = table_in(before, table);
  return {rebuild_table(from, after(before, op, table), dialect, renamed), std::string(table)};
}

RenderedOperation in_place(std::vector<std::string> statements) {
  return {std::move(statements), {}};
}

RenderedOperation alter_column(const AlterColumn& o, const Dialect& d, const SchemaState& before) {
  const Table& t = table_in(before, o.table);
  const Column& old = t.column_or_throw(o.name);
  Column changed = *after(before, o, o.table).column(o.new_name.value_or(o.name));
  bool renames = o.new_name && *o.new_name != o.name;
  bool alters = changed.type != old.type || changed.nullable != old.nullable ||
                changed.server_default != old.server_default;
  if (alters && !d.can_alter_column()) {
    std::vector<std::pair<std::string, std::string>> renamed;
    if (renames) renamed.emplace_back(o.name, *o.new_name);
    return rebuild(before, o, o.table, d, renamed);
  }
  std::vector<std::string> out;
  if (renames) out.push_back(d.rename_column_sql(o.table, o.name, *o.new_name));
  Column renamed_old = old;
  renamed_old.name = changed.name;
  for (auto& s : d.alter_column_sql(o.table, renamed_old, changed)) out.push_back(std::move(s));
  return in_place(std::move(out));
}

template <class Constraint>
RenderedOperation add_constraint(const Operation& op, std::string_view table, const Constraint& c,
                                 const Dialect& d, const SchemaState& before) {
  if (!d.can_alter_constraints()) return rebuild(before, op, table, d);
  return in_place({d.add_constraint_sql(table, c)});
}

std::string execute_text(const Execute& o, const Dialect& d) {
  auto it = o.per_dialect.find(std::string(d.name()));
  return it == o.per_dialect.end() ? o.sql : it->second;
}

}  // namespace

std::vector<std::string> rebuild_table(
    const Table& from, const Table& to, const Dialect& dialect,
    const std::vector<std::pair<std::string, std::string>>& renamed) {
  Table temporary = to;
  temporary.name = "_strata_new_" + to.name;
  temporary.indexes.clear();  // index names are global: they are made after the rename
  std::vector<std::string> out = dialect.create_table(temporary);
  std::vector<std::string> target_columns;
  std::vector<std::string> source_columns;
  for (const auto& c : to.columns) {
    std::string source = c.name;
    for (const auto& [old_name, new_name] : renamed) {
      if (new_name == c.name) source = old_name;
    }
    if (!from.column(source)) continue;  // a new column takes its default
    target_columns.push_back(dialect.quote(c.name));
    source_columns.push_back(dialect.quote(source));
  }
  out.push_back(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", dialect.quote(temporary.name),
                            fmt::join(target_columns, ", "), fmt::join(source_columns, ", "),
                            dialect.quote(from.name)));
  out.push_back(dialect.drop_table(from.name));
  out.push_back(dialect.rename_table_sql(temporary.name, to.name));
  for (const auto& i : to.indexes) out.push_back(dialect.create_index(to, i));
  return out;
}

RenderedOperation render(const Operation& op, const Dialect& d, const SchemaState& before) {
  return std::visit(
      Overloaded{
          [&](const CreateTable& o) { return in_place(d.create_table(o.table)); },
          [&](const DropTable& o) {
            return in_place({d.drop_table(table_in(before, o.name).name)});
          },
          [&](const RenameTable& o) { return in_place({d.rename_table_sql(o.name, o.new_name)}); },
          [&](const AddColumn& o) {
            const Table& t = table_in(before, o.table);
            if (!d.can_add_column(o.column)) return rebuild(before, op, o.table, d);
            return in_place({d.add_column_sql(t, o.column)});
          },
          [&](const DropColumn& o) {
            const Table& t = table_in(before, o.table);
            if (!d.can_drop_column(t, o.name)) return rebuild(before, op, o.table, d);
            return in_place({d.drop_column_sql(o.table, o.name)});
          },
          [&](const AlterColumn& o) { return alter_column(o, d, before); },
          [&](const CreateIndex& o) {
            std::string sql = d.create_index(table_in(before, o.table), o.index);
            if (o.concurrently && d.backend() == Backend::postgresql) {
              sql.insert(sql.find("INDEX") + 6, "CONCURRENTLY ");
            }
            return in_place({std::move(sql)});
          },
          [&](const DropIndex& o) { return in_place({d.drop_index(o.table, o.name)}); },
          [&](const CreateUniqueConstraint& o) {
            return add_constraint(op, o.table, o.constraint, d, before);
          },
          [&](const CreateForeignKey& o) {
            return add_constraint(op, o.table, o.constraint, d, before);
          },
          [&](const CreateCheckConstraint& o) {
            return add_constraint(op, o.table, o.constraint, d, before);
          },
          [&](const DropConstraint& o) {
            if (!d.can_alter_constraints()) return rebuild(before, op, o.table, d);
            return in_place({d.drop_constraint_sql(o.table, o.name)});
          },
          [&](const Execute& o) { return in_place({execute_text(o, d)}); },
          [&](const BulkInsert& o) {
            return in_place(d.insert_sql(table_in(before, o.table), o.rows));
          },
      },
      op);
}

}  // namespace strata::migrate
