// One table's differences: columns, primary key, indexes and constraints.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "normalize.hpp"
#include "plan.hpp"

namespace strata::autogen::detail {
namespace {

using namespace strata::migrate;

// Model items paired with reflected ones: by name first, then an unpaired reflected item of
// the same definition under another name (a hand-written or unnamed constraint) counts as the
// same. Unpaired reflected items without a name cannot be dropped by an operation: they are
// listed as differences to resolve by hand.
template <class T>
struct Matching {
  std::vector<const T*> create;
  std::vector<const T*> drop;
  std::vector<const T*> unnamed;
};

template <class T>
Matching<T> match(const std::vector<T>& model, const std::vector<T>& db) {
  Matching<T> out;
  std::vector<bool> used(db.size(), false);
  std::vector<bool> changed(db.size(), false);
  std::vector<const T*> unnamed;
  for (const auto& m : model) {
    auto it = std::find_if(db.begin(), db.end(), [&](const T& d) { return d.name == m.name; });
    if (it == db.end()) {
      unnamed.push_back(&m);
      continue;
    }
    auto i = static_cast<std::size_t>(it - db.begin());
    used[i] = true;
    if (same_definition(m, *it)) continue;
    changed[i] = true;
    out.create.push_back(&m);
  }
  for (const T* m : unnamed) {
    std::size_t i = 0;
    while (i < db.size() && (used[i] || !same_definition(*m, db[i]))) ++i;
    if (i < db.size()) {
      used[i] = true;
    } else {
      out.create.push_back(m);
    }
  }
  // Drops in the database's order, so that the output does not depend on the model's.
  for (std::size_t i = 0; i < db.size(); ++i) {
    if (changed[i] || (!used[i] && !db[i].name.empty())) out.drop.push_back(&db[i]);
    if (!used[i] && db[i].name.empty()) out.unnamed.push_back(&db[i]);
  }
  return out;
}

std::string text(const Index& i) {
  return fmt::format("{}index ({})", i.unique ? "unique " : "", fmt::join(i.columns, ", "));
}
std::string text(const UniqueConstraint& u) {
  return fmt::format("unique constraint ({})", fmt::join(u.columns, ", "));
}
std::string text(const ForeignKey& f) {
  return fmt::format("foreign key ({}) -> {} ({})", fmt::join(f.columns, ", "), f.referred_table,
                     fmt::join(f.referred_columns, ", "));
}
std::string text(const CheckConstraint& c) {
  return fmt::format("check constraint ({})", c.condition);
}

bool has_columns(const Table& t, const std::vector<std::string>& columns) {
  return std::all_of(columns.begin(), columns.end(),
                     [&](const std::string& c) { return t.column(c) != nullptr; });
}
bool has_columns(const Table&, const CheckConstraint&) {
  return true;
}
template <class T>
bool has_columns(const Table& t, const T& item) {
  return has_columns(t, item.columns);
}

// An unnamed constraint left in the database, unless dropping a column takes it away.
template <class T>
void report_unnamed(const Table& model, const Matching<T>& m, Plan& plan) {
  for (const T* item : m.unnamed) {
    if (!has_columns(model, *item)) continue;
    plan.unsupported.push_back(
        fmt::format("table {}: the database has an unnamed {} that the models do not; no "
                    "operation can drop a constraint without a name, drop it by hand",
                    model.name, text(*item)));
  }
}

void diff_indexes(const Table& model, const Table& db, Plan& plan) {
  auto m = match(model.indexes, db.indexes);
  for (const auto* i : m.drop) plan.add(Phase::drop_constraints, DropIndex{db.name, i->name});
  for (const auto* i : m.create) plan.add(Phase::create_constraints, CreateIndex{model.name, *i});
  report_unnamed(model, m, plan);
}

void diff_unique(const Table& model, const Table& db, Plan& plan) {
  auto m = match(model.unique_constraints, db.unique_constraints);
  for (const auto* c : m.drop) {
    plan.add(Phase::drop_constraints, DropConstraint{db.name, c->name, ConstraintType::unique});
  }
  for (const auto* c : m.create) {
    plan.add(Phase::create_constraints, CreateUniqueConstraint{model.name, *c});
  }
  report_unnamed(model, m, plan);
}

void diff_checks(const Table& model, const Table& db, Plan& plan) {
  auto m = match(model.check_constraints, db.check_constraints);
  for (const auto* c : m.drop) {
    plan.add(Phase::drop_constraints, DropConstraint{db.name, c->name, ConstraintType::check});
  }
  for (const auto* c : m.create) {
    plan.add(Phase::create_constraints, CreateCheckConstraint{model.name, *c});
  }
  report_unnamed(model, m, plan);
}

void diff_foreign_keys(const Table& model, const Table& db, Plan& plan) {
  auto m = match(model.foreign_keys, db.foreign_keys);
  for (const auto* c : m.drop) {
    plan.add(Phase::drop_foreign_keys,
             DropConstraint{db.name, c->name, ConstraintType::foreign_key});
  }
  for (const auto* c : m.create) {
    plan.add(Phase::create_foreign_keys, CreateForeignKey{model.name, *c});
  }
  report_unnamed(model, m, plan);
}

// A key over other columns is dropped and made again; one over the same columns under another
// name (PostgreSQL's `items_pkey`, SQLite's unnamed key) is the same key.
void diff_primary_key(const Table& model, const Table& db, Plan& plan) {
  auto columns = [](const Table& t) {
    return t.primary_key ? t.primary_key->columns : std::vector<std::string>{};
  };
  if (columns(model) == columns(db)) return;
  if (db.primary_key && db.primary_key->name.empty()) {
    plan.unsupported.push_back(fmt::format(
        "table {}: the database has an unnamed primary key ({}) and the models have another; no "
        "operation can drop a constraint without a name, change it by hand",
        model.name, fmt::join(db.primary_key->columns, ", ")));
    return;
  }
  if (db.primary_key) {
    plan.add(Phase::drop_constraints,
             DropConstraint{db.name, db.primary_key->name, ConstraintType::primary_key});
  }
  if (model.primary_key) {
    plan.add(Phase::create_constraints, CreatePrimaryKey{model.name, *model.primary_key});
  }
}

void alter_column(const Table& model, const Column& m, const Table& db, const Column& d,
                  const Dialect* dialect, Plan& plan) {
  if (!same_generated(m.generated, d.generated)) {
    plan.unsupported.push_back(fmt::format(
        "column {}.{}: generated differently in the models and in the database; a generated "
        "column cannot be altered, drop it and add it again by hand",
        model.name, m.name));
    return;
  }
  AlterColumn op{model.name, m.name, {}, {}, {}, {}};
  if (!same_type(m, d, dialect)) op.type = m.type;
  bool nullable = effective_nullable(model, m);
  if (nullable != effective_nullable(db, d)) op.nullable = nullable;
  if (!same_default(m, d)) op.server_default = clean(m).server_default;
  if (op.type || op.nullable || op.server_default) plan.add(Phase::alter_columns, std::move(op));
}

// A dropped column and an added one of the same type may be one column renamed: say so in
// the file, where the author decides (lint flags the drop either way).
std::string possible_rename(const Table& model, const Column& added, const Table& db,
                            const Dialect* dialect, std::vector<std::string>& unpaired) {
  for (auto it = unpaired.begin(); it != unpaired.end(); ++it) {
    if (!same_type(added, *db.column(*it), dialect)) continue;
    std::string note = fmt::format(
        "possible rename of {} to {}: if so, mark the column renamed_from(\"{}\") in the model "
        "and autogenerate again, or the data of {}.{} is lost",
        *it, added.name, *it, model.name, *it);
    unpaired.erase(it);
    return note;
  }
  return "";
}

void diff_columns(const Table& model, const Table& db, const Dialect* dialect, Plan& plan) {
  std::vector<std::string> dropped;
  for (const auto& d : db.columns) {
    if (!model.column(d.name)) dropped.push_back(d.name);
  }
  std::vector<std::string> unpaired = dropped;
  for (const auto& m : model.columns) {
    if (const Column* d = db.column(m.name)) {
      alter_column(model, m, db, *d, dialect, plan);
      continue;
    }
    std::string note = possible_rename(model, m, db, dialect, unpaired);
    plan.add(Phase::add_columns, AddColumn{model.name, clean(m)},
             note.empty() ? std::vector<std::string>{} : std::vector<std::string>{note});
  }
  for (const auto& name : dropped) plan.add(Phase::drop_columns, DropColumn{db.name, name});
}

}  // namespace

Column clean(Column column) {
  column.former_name.clear();
  column.pending = {};
  // A literal NULL default is no default, and only "no default" can be written.
  auto& d = column.server_default;
  if (d && d->kind == ServerDefault::Kind::literal && d->literal.is_null()) d.reset();
  return column;
}

Table clean(Table table) {
  table.former_name.clear();
  for (auto& c : table.columns) c = clean(std::move(c));
  return table;
}

void diff_table(const Table& model, const Table& db, const Dialect* dialect, Plan& plan) {
  diff_columns(model, db, dialect, plan);
  diff_primary_key(model, db, plan);
  diff_indexes(model, db, plan);
  diff_unique(model, db, plan);
  diff_checks(model, db, plan);
  diff_foreign_keys(model, db, plan);
}

}  // namespace strata::autogen::detail
