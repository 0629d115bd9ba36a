// Autogenerate's comparison: which tables are compared, renames, new and dropped tables in
// foreign-key order, and the downgrade as the upgrade's inverse.
#include "strata/autogen/compare.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <functional>
#include <set>

#include "plan.hpp"
#include "strata/core/config.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/dialect/inspector.hpp"

namespace strata::autogen {
namespace {

using namespace strata::migrate;
using detail::Phase;
using detail::Plan;

bool matches_any(const std::vector<std::string>& patterns, std::string_view name) {
  std::string text(name);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return ::fnmatch(p.c_str(), text.c_str(), 0) == 0;
  });
}

std::vector<const Table*> included(const std::vector<Table>& tables, const CompareOptions& o) {
  std::vector<const Table*> out;
  for (const auto& t : tables) {
    if (o.includes(t.name)) out.push_back(&t);
  }
  return out;
}

// Parents before the tables whose foreign keys refer to them, among `tables` only; a cycle is
// broken where it closes, and the foreign key closing it is added or dropped on its own.
std::vector<const Table*> parents_first(const std::vector<const Table*>& tables) {
  std::vector<const Table*> out;
  std::set<std::string> done;
  std::set<std::string> visiting;
  std::function<void(const Table*)> visit = [&](const Table* t) {
    if (done.count(t->name) || !visiting.insert(t->name).second) return;
    for (const auto& fk : t->foreign_keys) {
      auto parent = std::find_if(tables.begin(), tables.end(),
                                 [&](const Table* p) { return p->name == fk.referred_table; });
      if (parent != tables.end() && *parent != t) visit(*parent);
    }
    done.insert(t->name);
    out.push_back(t);
  };
  for (const Table* t : tables) visit(t);
  return out;
}

const Table* model_named(const std::vector<const Table*>& models, std::string_view name) {
  for (const Table* t : models) {
    if (t->name == name) return t;
  }
  return nullptr;
}

// A table or column the model marks renamed_from("old") becomes a rename when the database
// has the old name and not the new one. Applied to `state`, so that the rest of the
// comparison sees the new names.
void plan_renames(const std::vector<const Table*>& models, SchemaState& state, Plan& plan) {
  for (const Table* m : models) {
    const std::string& old = m->former_name;
    if (old.empty() || state.table(m->name) || !state.table(old) || model_named(models, old)) {
      continue;
    }
    RenameTable op{old, m->name};
    state.apply(op);
    plan.add(Phase::rename_tables, std::move(op));
  }
  for (const Table* m : models) {
    for (const auto& c : m->columns) {
      const Table* db = state.table(m->name);
      const std::string& old = c.former_name;
      if (!db || old.empty() || db->column(c.name) || !db->column(old) || m->column(old)) continue;
      AlterColumn op{m->name, old, {}, {}, {}, c.name};
      state.apply(op);
      plan.add(Phase::rename_columns, std::move(op));
    }
  }
}

// New tables parents first. A foreign key to a table made later (a cycle) is left out of the
// CREATE TABLE and added once both exist.
void plan_creates(const std::vector<const Table*>& models, const SchemaState& state,
                  const Dialect* dialect, Plan& plan) {
  std::set<std::string> made;
  for (const auto& [name, t] : state.tables()) made.insert(name);
  for (const Table* m : parents_first(models)) {
    if (const Table* db = state.table(m->name)) {
      detail::diff_table(*m, *db, dialect, plan);
      continue;
    }
    Table t = detail::clean(*m);
    made.insert(t.name);
    auto later = std::stable_partition(
        t.foreign_keys.begin(), t.foreign_keys.end(),
        [&](const ForeignKey& fk) { return made.count(fk.referred_table) > 0; });
    for (auto it = later; it != t.foreign_keys.end(); ++it) {
      plan.add(Phase::create_foreign_keys, CreateForeignKey{t.name, *it});
    }
    t.foreign_keys.erase(later, t.foreign_keys.end());
    plan.add(Phase::create_tables, CreateTable{std::move(t)});
  }
}

// Dropped tables children first. A table still referred to by one dropped after it (a cycle)
// loses that foreign key first.
void plan_drops(const std::vector<const Table*>& models, const SchemaState& state, Plan& plan) {
  std::vector<const Table*> dropped;
  for (const auto& [name, t] : state.tables()) {
    if (!model_named(models, name)) dropped.push_back(&t);
  }
  auto order = parents_first(dropped);
  std::reverse(order.begin(), order.end());
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (std::size_t later = i + 1; later < order.size(); ++later) {
      for (const auto& fk : order[later]->foreign_keys) {
        if (fk.referred_table != order[i]->name || fk.name.empty()) continue;
        plan.add(Phase::drop_foreign_keys,
                 DropConstraint{order[later]->name, fk.name, ConstraintType::foreign_key});
      }
    }
    plan.add(Phase::drop_tables, DropTable{order[i]->name});
  }
}

}  // namespace

CompareOptions CompareOptions::from(const Config& config) {
  CompareOptions options;
  options.include = config.autogenerate_include();
  options.exclude = config.autogenerate_exclude();
  options.version_table = config.version_table();
  return options;
}

bool CompareOptions::includes(std::string_view table) const {
  if (table == version_table || table == history_table) return false;
  // Alembic's bookkeeping in a database coming from Alembic: neither drift nor schema.
  if (table == "alembic_version") return false;
  if (!include.empty() && !matches_any(include, table)) return false;
  return !matches_any(exclude, table);
}

std::vector<std::string> Comparison::describe() const {
  std::vector<std::string> out;
  for (const auto& op : upgrade) out.push_back(autogen::describe(op));
  out.insert(out.end(), unsupported.begin(), unsupported.end());
  return out;
}

Comparison compare(const std::vector<Table>& target, const std::vector<Table>& reflected,
                   const CompareOptions& options) {
  auto models = included(target, options);
  SchemaState before;
  for (const Table* t : included(reflected, options)) before.apply(CreateTable{*t});
  SchemaState renamed = before;
  Plan plan;
  plan_renames(models, renamed, plan);
  plan_creates(models, renamed, options.dialect, plan);
  plan_drops(models, renamed, plan);
  Comparison result;
  for (auto& planned : plan.ordered()) {
    if (!planned.notes.empty()) result.comments.upgrade[result.upgrade.size()] = planned.notes;
    result.upgrade.push_back(std::move(planned.op));
  }
  result.downgrade = migrate::inverse(result.upgrade, std::move(before));
  result.unsupported = std::move(plan.unsupported);
  return result;
}

Comparison compare(const MetaData& target, const std::vector<Table>& reflected,
                   const CompareOptions& options) {
  std::vector<Table> tables(target.tables().begin(), target.tables().end());
  return compare(tables, reflected, options);
}

std::vector<Table> reflect(const Engine& engine, const CompareOptions& options) {
  auto tables = Inspector(engine).tables();
  std::erase_if(tables, [&](const Table& t) { return !options.includes(t.name); });
  return tables;
}

Comparison compare(const MetaData& target, const Engine& engine, CompareOptions options) {
  if (!options.dialect) options.dialect = &Dialect::of(engine.backend());
  return compare(target, reflect(engine, options), options);
}

}  // namespace strata::autogen
