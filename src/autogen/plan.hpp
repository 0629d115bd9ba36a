// The operations autogenerate finds, collected in phases so that the upgrade runs in an order
// every backend accepts. Private to autogen.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "strata/dialect/dialect.hpp"
#include "strata/migrate/operations.hpp"

namespace strata::autogen::detail {

// In the order they run. Renames come first so that everything after them uses the new names;
// constraints go before the columns and tables they use, and come after what they refer to.
enum class Phase {
  rename_tables,
  rename_columns,
  drop_foreign_keys,
  drop_constraints,  // indexes, unique and check constraints
  create_tables,
  add_columns,
  alter_columns,
  create_constraints,
  create_foreign_keys,
  drop_columns,
  drop_tables,
  count
};

struct PlannedOperation {
  migrate::Operation op;
  std::vector<std::string> notes;  // comment lines for the revision file
};

// Collects operations by phase. A value type.
class Plan {
 public:
  void add(Phase phase, migrate::Operation op, std::vector<std::string> notes = {}) {
    phases_[static_cast<std::size_t>(phase)].push_back({std::move(op), std::move(notes)});
  }
  // Every operation, phase by phase, each phase in the order its operations were added.
  std::vector<PlannedOperation> ordered() const {
    std::vector<PlannedOperation> out;
    for (const auto& phase : phases_) out.insert(out.end(), phase.begin(), phase.end());
    return out;
  }
  std::vector<std::string> unsupported;

 private:
  std::array<std::vector<PlannedOperation>, static_cast<std::size_t>(Phase::count)> phases_;
};

// A model's column or table as an operation carries it: no rename mark, no shorthands, no
// literal NULL default.
Column clean(Column column);
Table clean(Table table);

// Adds to `plan` what turns the reflected table `db` into `model` (both of one name, renames
// already applied to `db`).
void diff_table(const Table& model, const Table& db, const Dialect* dialect, Plan& plan);

}  // namespace strata::autogen::detail
