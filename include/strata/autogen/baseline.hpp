// A baseline: the first revision of a project whose database existed before strata, read from
// that database. Its upgrade makes the schema on a new database: the tables parents first, then
// the expression indexes, views, trigger functions and triggers as `execute`, in the words the
// database keeps them in. Its downgrade drops it all.
#pragma once

#include <vector>

#include "strata/autogen/compare.hpp"
#include "strata/engine/engine.hpp"
#include "strata/migrate/operations.hpp"
#include "strata/schema/metadata.hpp"

namespace strata::autogen {

// A value type.
struct Baseline {
  std::vector<migrate::Operation> upgrade;
  std::vector<migrate::Operation> downgrade;
};

// Reads the database behind `engine`: the tables `options` includes (never strata's own), and
// every view, trigger and expression index of the schema. A constraint the database keeps
// without a name (SQLite's inline ones) is named by `convention`, as a model's would be.
Baseline baseline(const Engine& engine, CompareOptions options = {},
                  const NamingConvention& convention = {});

}  // namespace strata::autogen
