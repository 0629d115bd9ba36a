// `check` and `verify`: whether a database is at head and matches the models, and whether
// every revision's downgrade really undoes its upgrade.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "strata/autogen/compare.hpp"
#include "strata/migrate/runner.hpp"
#include "strata/migrate/script_directory.hpp"

namespace strata::autogen {

// Where a database stands against the revisions and the models. A value type.
struct CheckResult {
  std::vector<std::string> current;  // the heads the version table holds
  std::vector<std::string> pending;  // revisions an upgrade to heads would apply, in order
  Comparison differences;            // database -> models; empty without models

  bool clean() const noexcept { return pending.empty() && differences.empty(); }
  // "pending revision 3f2a9c1b7d4e (versions/...yaml)", then one line per difference.
  std::vector<std::string> describe(const migrate::ScriptDirectory& scripts) const;
};

// Reads the version table and compares the database with `models` (skipped when null).
// options.version_table also names the version table read.
CheckResult check(const Engine& engine, const migrate::ScriptDirectory& scripts,
                  const MetaData* models, const CompareOptions& options = {});

// A value type.
struct VerifyOptions {
  CompareOptions compare;  // its version and history table names are the runner's
  migrate::RunnerOptions runner;
};

// The first revision that failed, at which stage, and what differed or the error. Stages:
// "parents" (bringing the database to the revision's parents failed: a revision of another
// branch would not come down or go up again), "upgrade", "downgrade", "upgrade again" (the
// runner failed: `differences` holds its error), "after downgrade", "after upgrade again"
// (the schema differs: one line per difference, as the operations that would take the
// database back), "models" (head differs from the models; `revision` names the heads). A
// value type.
struct VerifyFailure {
  std::string revision;
  std::filesystem::path file;
  std::string stage;
  std::vector<std::string> differences;

  // "revision 3f2a (file): after downgrade the schema is not the one before: remove column
  // items.extra"
  std::string describe() const;
};

// A value type.
struct VerifyResult {
  std::vector<std::string> verified;  // revisions that passed, base first
  std::optional<VerifyFailure> failure;
  bool ok() const noexcept { return !failure; }
};

// A database for `verify` to work in, gone when this object is: an in-memory SQLite database,
// or a new database on the PostgreSQL server that `like` names (its user needs CREATEDB).
// Owns the database and its Engine; not thread-safe.
class ScratchDatabase {
 public:
  // Throws DatabaseError naming the URL (masked) when the database cannot be made.
  explicit ScratchDatabase(const Url& like);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const Engine& engine() const noexcept { return *engine_; }
  // "strata_verify_<16 hex digits>"; unused on SQLite.
  const std::string& name() const noexcept { return name_; }

 private:
  Url like_;
  std::string name_;
  std::optional<Engine> engine_;
};

// On `scratch`, an empty database that verify leaves at heads: each revision is checked on
// the schema of its own parents, whatever branches came before it. For each revision, parents
// first (a branch is followed to its end before the next): bring the database to exactly its
// parents and what they depend on (reverting a sibling branch checked before, applying the
// other parents of a merge), upgrade it alone, snapshot the schema, downgrade it alone and
// compare with the schema before, upgrade again and compare with the snapshot; at the end
// compare heads with `models` when given. On a straight history that is one upgrade, one
// downgrade and one upgrade a revision. A revision that depends on a revision above its own
// parent on another branch cannot come down alone (a downgrade to its parent takes that one
// down too, unless the revision has a branch label): both come down and go up together.
// Stops at the first failure. Errors of the runner (a revision without downgrade, a failing
// statement) are failures of their stage, not exceptions.
VerifyResult verify(const migrate::ScriptDirectory& scripts, const Engine& scratch,
                    const MetaData* models = nullptr, const VerifyOptions& options = {});

}  // namespace strata::autogen
