#include "strata/migrate/render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>

#include "../core/overloaded.hpp"
#include "strata/core/error.hpp"
#include "strata/sql/statement.hpp"

namespace strata::migrate {
namespace {

using strata::detail::Overloaded;

const Table& table_in(const SchemaState& state, std::string_view name) {
  const Table* t = state.table(name);
  if (!t) throw MigrationError(fmt::format("table '{}' does not exist at this revision", name));
  return *t;
}

// The table after `op`, worked out on a copy of that table alone: copying the whole schema
// for every rebuild would make a long history quadratic.
Table after(const SchemaState& before, const Operation& op, std::string_view table) {
  SchemaState one;
  one.apply(CreateTable{table_in(before, table)});
  one.apply(op);
  return *one.table(table);
}

RenderedOperation rebuild(const SchemaState& before, const Operation& op, std::string_view table,
                          const Dialect& dialect, const std::string& renamed_from = {},
                          const std::string& renamed_to = {}) {
  const Table& from = table_in(before, table);
  Table to = after(before, op, table);
  ColumnSources sources = same_names(from, to);
  if (!renamed_to.empty()) sources[renamed_to] = renamed_from;
  RenderedOperation out;
  out.statements = rebuild_table(from, to, dialect, sources);
  out.rebuilt_table = table;
  out.sources = std::move(sources);
  return out;
}

RenderedOperation in_place(std::vector<std::string> statements) {
  RenderedOperation out;
  out.statements = std::move(statements);
  return out;
}

// INSERTs of literal rows (offline scripts print them as they are). SQLite has no DEFAULT
// inside VALUES: rows that name the same columns share one INSERT, and a row naming others
// starts the next.
RenderedOperation bulk_insert(const BulkInsert& o, const Dialect& d, const SchemaState& before) {
  const Table& table = table_in(before, o.table);
  std::vector<std::string> statements;
  std::optional<sql::Insert> insert;
  std::vector<std::string> columns;
  for (const auto& row : o.rows) {
    std::vector<std::string> names;
    std::vector<sql::Assignment> values;
    for (const auto& [name, value] : row) {
      table.column_or_throw(name);  // names the table, as a revision's author needs
      names.push_back(name);
      values.push_back({name, value});
    }
    if (insert && names != columns) {
      statements.push_back(sql::literal_sql(*insert, d));
      insert.reset();
    }
    if (!insert) insert = sql::insert(table);
    columns = std::move(names);
    insert->values(std::move(values));
  }
  if (insert) statements.push_back(sql::literal_sql(*insert, d));
  return in_place(std::move(statements));
}

RenderedOperation alter_column(const AlterColumn& o, const Dialect& d, const SchemaState& before) {
  const Table& t = table_in(before, o.table);
  const Column& old = t.column_or_throw(o.name);
  Column changed = *after(before, o, o.table).column(o.new_name.value_or(o.name));
  bool renames = o.new_name && *o.new_name != o.name;
  bool alters = changed.type != old.type || changed.nullable != old.nullable ||
                changed.server_default != old.server_default;
  if (alters && !d.can_alter_column()) {
    return renames ? rebuild(before, o, o.table, d, o.name, *o.new_name)
                   : rebuild(before, o, o.table, d);
  }
  std::vector<std::string> out;
  if (renames) out.push_back(d.rename_column_sql(o.table, o.name, *o.new_name));
  Column renamed_old = old;
  renamed_old.name = changed.name;
  for (auto& s : d.alter_column_sql(o.table, renamed_old, changed)) out.push_back(std::move(s));
  return in_place(std::move(out));
}

template <class Constraint, class... NotValid>
RenderedOperation add_constraint(const Operation& op, std::string_view table, const Constraint& c,
                                 const Dialect& d, const SchemaState& before,
                                 NotValid... not_valid) {
  if (!d.can_alter_constraints()) return rebuild(before, op, table, d);
  return in_place({d.add_constraint_sql(table, c, not_valid...)});
}

std::string execute_text(const Execute& o, const Dialect& d) {
  auto it = o.per_dialect.find(std::string(d.name()));
  return it == o.per_dialect.end() ? o.sql : it->second;
}

}  // namespace

ColumnSources same_names(const Table& from, const Table& to) {
  ColumnSources sources;
  for (const auto& c : to.columns) {
    if (from.column(c.name)) sources.emplace(c.name, c.name);
  }
  return sources;
}

std::vector<std::string> rebuild_table(const Table& from, const Table& to, const Dialect& dialect,
                                       const ColumnSources& sources) {
  Table temporary = to;
  temporary.name = "_strata_new_" + to.name;
  temporary.indexes.clear();  // index names are global: they are made after the rename
  std::vector<std::string> out = dialect.create_table(temporary);
  std::vector<std::string> target_columns;
  std::vector<std::string> source_columns;
  for (const auto& c : to.columns) {
    if (c.generated && !c.generated_by_expression()) {
      throw ProgrammingError(
          fmt::format("the expression of the generated column {}.{} could not be read from its "
                      "CREATE TABLE, so a rebuild cannot make it again; drop it in an execute "
                      "before this operation and add it again after",
                      to.name, c.name),
          {});
    }
    auto source = sources.find(c.name);
    // A new column takes its default; a generated one is computed by the new table.
    if (source == sources.end() || c.generated) continue;
    target_columns.push_back(dialect.quote(c.name));
    source_columns.push_back(dialect.quote(source->second));
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
  if (!runs_on(op, d.name())) return {};
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
            return in_place({d.create_index(table_in(before, o.table), o.index, o.concurrently)});
          },
          [&](const DropIndex& o) { return in_place({d.drop_index(o.table, o.name)}); },
          [&](const CreateUniqueConstraint& o) {
            return add_constraint(op, o.table, o.constraint, d, before);
          },
          [&](const CreateForeignKey& o) {
            return add_constraint(op, o.table, o.constraint, d, before, o.not_valid);
          },
          [&](const CreateCheckConstraint& o) {
            return add_constraint(op, o.table, o.constraint, d, before, o.not_valid);
          },
          [&](const CreatePrimaryKey& o) {
            return add_constraint(op, o.table, o.constraint, d, before);
          },
          [&](const DropConstraint& o) {
            if (!d.can_alter_constraints()) return rebuild(before, op, o.table, d);
            return in_place({d.drop_constraint_sql(o.table, o.name)});
          },
          [&](const ValidateConstraint& o) {
            table_in(before, o.table);
            return in_place(d.validate_constraint_sql(o.table, o.name));
          },
          [&](const Execute& o) { return in_place({execute_text(o, d)}); },
          [&](const BulkInsert& o) { return bulk_insert(o, d, before); },
      },
      op);
}

namespace {

// `later` maps columns to those of the table `earlier` produced; the result maps them to the
// columns `earlier` started from. A column dropped and added again has no source.
ColumnSources compose(const ColumnSources& earlier, const ColumnSources& later) {
  ColumnSources out;
  for (const auto& [column, middle] : later) {
    auto it = earlier.find(middle);
    if (it != earlier.end()) out.emplace(column, it->second);
  }
  return out;
}

// Runs `f`, naming operation `i` in what it throws.
template <class F>
auto numbered(const Operation& op, std::size_t i, F&& f) {
  try {
    return f();
  } catch (const MigrationError& e) {
    throw MigrationError(fmt::format("operation {} ({}): {}", i + 1, operation_name(op), e.what()));
  }
}

RenderedOperation render_one(const std::vector<Operation>& ops, std::size_t i,
                             const Dialect& dialect, const SchemaState& state) {
  return numbered(ops[i], i, [&] {
    RenderedOperation r = render(ops[i], dialect, state);
    r.first = r.last = i;
    return r;
  });
}

// The table whose shape `op` changes, and nothing else; empty for the rest.
std::string_view reshaped_table(const Operation& op) {
  return std::visit(
      Overloaded{[](const AddColumn& o) -> std::string_view { return o.table; },
                 [](const DropColumn& o) -> std::string_view { return o.table; },
                 [](const AlterColumn& o) -> std::string_view { return o.table; },
                 [](const CreateIndex& o) -> std::string_view { return o.table; },
                 [](const DropIndex& o) -> std::string_view { return o.table; },
                 [](const CreateUniqueConstraint& o) -> std::string_view { return o.table; },
                 [](const CreateForeignKey& o) -> std::string_view { return o.table; },
                 [](const CreateCheckConstraint& o) -> std::string_view { return o.table; },
                 [](const CreatePrimaryKey& o) -> std::string_view { return o.table; },
                 [](const DropConstraint& o) -> std::string_view { return o.table; },
                 [](const auto&) -> std::string_view { return {}; }},
      op);
}

// Folds operation `i` into the rebuild `group`, which `state` is already past.
void extend_rebuild(RenderedOperation& group, const Table& start, const Operation& op,
                    std::size_t i, const Dialect& dialect, SchemaState& state) {
  Table before = table_in(state, group.rebuilt_table);
  numbered(op, i, [&] { state.apply(op); });
  const Table& now = table_in(state, group.rebuilt_table);
  ColumnSources step = same_names(before, now);
  if (const auto* alter = std::get_if<AlterColumn>(&op); alter && alter->new_name) {
    step[*alter->new_name] = alter->name;
  }
  group.sources = compose(group.sources, step);
  group.statements = rebuild_table(start, now, dialect, group.sources);
  group.last = i;
}

}  // namespace

std::vector<RenderedOperation> render_all(const std::vector<Operation>& ops, const Dialect& dialect,
                                          SchemaState& state) {
  std::vector<RenderedOperation> out;
  std::optional<Table> group_start;  // the rebuilt table as it was before the open group
  for (std::size_t i = 0; i < ops.size(); ++i) {
    // Another dialect's operation is not there: the rebuilds around it are consecutive.
    if (!runs_on(ops[i], dialect.name())) continue;
    bool open = !out.empty() && !out.back().rebuilt_table.empty();
    if (open && reshaped_table(ops[i]) == out.back().rebuilt_table) {
      extend_rebuild(out.back(), *group_start, ops[i], i, dialect, state);
      continue;
    }
    RenderedOperation r = render_one(ops, i, dialect, state);
    if (!r.rebuilt_table.empty()) {
      group_start = table_in(state, r.rebuilt_table);
      for (const auto& index : group_start->indexes) r.declared_indexes.push_back(index.name);
      for (const auto& column : group_start->columns) r.columns_before.push_back(column.name);
    }
    numbered(ops[i], i, [&] { state.apply(ops[i]); });
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace strata::migrate
