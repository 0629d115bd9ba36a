// Applies revisions to a database: plans from the version table's heads, runs each revision
// in its own transaction together with its version-table update and its history row, checks
// the files of applied revisions against their recorded checksums, and locks so that two
// processes never apply a revision twice (PostgreSQL: an advisory lock; SQLite: BEGIN
// IMMEDIATE with the heads read again inside the transaction). On PostgreSQL each revision's
// statements wait for a lock no longer than its lock_timeout, and a revision that gave up is
// rolled back and tried again a few times, so that a migration never holds the application's
// queries up behind a waiting ALTER for long.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/config.hpp"
#include "strata/engine/engine.hpp"
#include "strata/migrate/script_directory.hpp"

namespace strata::migrate {

struct RunnerOptions {
  std::string version_table = "strata_version";
  std::string history_table = "strata_history";
  bool allow_changed = false;  // run even when an applied revision's file changed
  // How long a run waits for another process's run to finish (the migration lock).
  std::chrono::milliseconds migration_lock_timeout{60'000};
  // Each revision's statement limits, unless its file sets its own.
  StatementLimits limits;
  // How many times a revision that gave up waiting for a lock is rolled back and tried again,
  // and the wait before the first retry, doubled for each next one, give or take a quarter (so
  // that runners stopped together do not retry together). A revision outside a transaction is
  // not tried again: what it did before the wait stays done.
  int lock_retries = 3;
  std::chrono::milliseconds retry_backoff{1'000};
  // Told each retry in one line, which also goes to strata's log at warn level: the revision,
  // the operation that waited, how long, and the sessions holding a lock on its table.
  std::function<void(const std::string&)> retrying;
  // Told each step this process takes, as it starts: "Running upgrade 1975ea83b712 ->
  // ae1027a6acf, add items". A step another process took meanwhile is not told.
  std::function<void(const std::string&)> progress;
  // Told each step before it waits for the database's write lock (the step may then turn out
  // to be taken elsewhere): where a test lets another runner in.
  std::function<void(const std::string&)> waiting;

  // The version table, limits and retries of strata.toml's [migrations].
  static RunnerOptions from(const Config& config);
};

// The advisory lock key of a version table: stable, and different for two projects sharing a
// database. Exposed for operators (and tests) who need to see or take the lock.
std::int64_t lock_key(std::string_view version_table);

struct VersionTables;
namespace detail {
class StepExecutor;
}

// The heads `version_table` holds; empty for a database at base or never migrated. Reads no
// revision file, so a command can ask it while it loads them.
std::vector<std::string> current_heads(const Engine& engine, std::string_view version_table);

// Runs one script directory against one database. Not thread-safe; cheap to make. It keeps a
// reference to the ScriptDirectory, which must outlive it: a temporary one does not compile.
class Runner {
 public:
  Runner(Engine engine, const ScriptDirectory& scripts, RunnerOptions options = {});
  Runner(Engine engine, ScriptDirectory&& scripts, RunnerOptions options = {}) = delete;

  // The heads the version table holds; empty for a database at base or never migrated. Reads
  // one table, so it works through a transaction pooler too; upgrade, downgrade and stamp, which
  // take the lock, throw ConfigError before connecting when the engine's URL is marked pooled
  // (Url::pooled).
  std::vector<std::string> current();
  // Applies what `target` needs; returns the steps this process took (not those another
  // process running at the same time took). Throws MigrationError naming the
  // revision file, the operation's index and the statement when one fails; the database is
  // then at the last revision that completed.
  std::vector<Step> upgrade(std::string_view target = "heads");
  std::vector<Step> downgrade(std::string_view target);
  // What upgrade(target) (or downgrade) would run now. Read without the lock: another process
  // may change it first. Needs only a Contents::graph load, as does an upgrade with nothing to
  // run; running a step needs the operations.
  std::vector<Step> plan(bool up, std::string_view target);
  // Sets the version table to `target` without running anything. Heads of other branches stay
  // unless `purge`, which first empties the table (the way out when it names a revision no
  // file defines).
  void stamp(std::string_view target, bool purge = false);

 private:
  class Lock;
  // Takes a run's steps on its connection, knowing that another process may take them too.
  class Race;
  VersionTables tables() const;
  void ensure_tables(Connection& conn);
  std::vector<std::string> read_heads(Connection& conn);
  void verify_checksums(Connection& conn);
  std::vector<Step> run(Connection& conn, std::vector<std::string> start, bool up,
                        std::string_view target);
  bool take(Connection& conn, detail::StepExecutor& executor, Race& race, const Step& step);
  void write_heads(Connection& conn, const std::vector<std::string>& heads);
  // Runs `work` on a connection holding the migration lock, the version tables made.
  template <class Work>
  auto locked(Work&& work);

  Engine engine_;
  const ScriptDirectory& scripts_;
  RunnerOptions options_;
  // Whether the running work holds a lock that keeps every other runner out (PostgreSQL's
  // advisory lock): then no one else moves the heads between its steps.
  bool exclusive_ = false;
};

}  // namespace strata::migrate
