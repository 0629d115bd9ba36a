// Offline mode: the SQL an upgrade or downgrade would run, written out as one script for a
// dialect instead of run, with no database at hand (`strata upgrade --sql`). The shape of
// every table comes from schema replay, so SQLite's rebuilds are written out too. Each
// revision is one transaction with its version-table update and history row, as online.
#pragma once

#include <string>
#include <string_view>

#include "strata/dialect/dialect.hpp"
#include "strata/migrate/runner.hpp"

namespace strata::migrate {

// `range` is `FROM:TO` or, for an upgrade, a target reached from base. A downgrade needs the
// FROM side (there is no database to read it from). The version and history tables are
// created when the script starts at base. Throws MigrationError naming the revision, file and
// operation that cannot be written, and ConfigError for a downgrade without FROM.
std::string offline_script(const ScriptDirectory& scripts, const Dialect& dialect, bool upgrade,
                           std::string_view range, const RunnerOptions& options = {});

}  // namespace strata::migrate
