#include "strata/migrate/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <unordered_set>

#include "../core/duration.hpp"
#include "../core/log.hpp"
#include "../core/read_file.hpp"
#include "executor.hpp"
#include "live_shape.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/inspector.hpp"
#include "version_tables.hpp"

namespace strata::migrate {
std::int64_t lock_key(std::string_view table) {
  std::uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : std::string_view("strata:")) hash = (hash ^ c) * 1099511628211ull;
  for (unsigned char c : table) hash = (hash ^ c) * 1099511628211ull;
  return static_cast<std::int64_t>(hash >> 1);
}

namespace {

// A revision file's checksum now. A links-only load took it from the links cache, which trusts
// a file whose size and modification time are the recorded ones: the check reads the bytes, as
// a checksum promises (`cp -p` or `touch -r` keep a time).
std::string checksum_now(const Revision& r, bool loaded_whole) {
  if (loaded_whole) return r.checksum;
  auto text = strata::detail::read_file(r.file);
  if (!text) throw MigrationError(fmt::format("{}: cannot read the file", r.file.string()));
  return checksum(*text);
}

bool applied(const RevisionGraph& graph, const std::string& id,
             const std::vector<std::string>& heads) {
  return std::any_of(heads.begin(), heads.end(),
                     [&](const std::string& h) { return graph.is_ancestor(id, h); });
}

std::vector<std::string> heads_in(Connection& conn, std::string_view version_table) {
  return VersionTables{std::string(version_table), {}}.read_heads(conn);
}

[[noreturn]] void moved_under(const Step& step, const std::vector<std::string>& heads) {
  throw MigrationError(fmt::format(
      "another process moved the database to {} while this {} waited to run revision {}; "
      "nothing of it was done: run the command again",
      heads.empty() ? "base" : fmt::format("{}", fmt::join(heads, ", ")),
      step.upgrade ? "upgrade" : "downgrade", step.revision->describe()));
}

// "pid 4242 (idle in transaction for 12 s)": the sessions holding a lock on `table` now.
// Only for the message: a lookup that fails leaves the holders out, not the wait's report.
std::vector<std::string> lock_holders(Connection& conn, const std::string& table) {
  const Dialect& dialect = Dialect::of(conn.backend());
  std::string sql = dialect.lock_holders_sql();
  std::vector<std::string> out;
  if (sql.empty()) return out;
  try {
    for (const auto& row : conn.execute(sql, dialect.quote(table))) {
      auto state = row.get<std::string>(1);
      auto seconds = row.get<std::int64_t>(2);
      std::string about = state;
      if (seconds >= 0) {
        about = fmt::format("{} for {} s", state.empty() ? "in a transaction" : state, seconds);
      }
      out.push_back(fmt::format("pid {}{}", row.get<std::int64_t>(0),
                                about.empty() ? "" : fmt::format(" ({})", about)));
    }
  } catch (const DatabaseError& e) {
    strata::detail::log(LogLevel::debug, "the sessions holding a lock on {}: {}", table, e.what());
  }
  return out;
}

// "upgrade operation 1 (alter_column) waited 200ms for a lock on items, held by pid 4242 (...)"
std::string waited_for(Connection& conn, const detail::LockWaitTimedOut& e) {
  std::vector<std::string> holders;
  for (const auto& table : e.tables) {
    for (auto& h : lock_holders(conn, table)) holders.push_back(std::move(h));
  }
  return fmt::format("{} waited {} (lock_timeout) for a lock{}{}", e.operation,
                     strata::detail::format_duration(e.waited),
                     e.tables.empty() ? "" : fmt::format(" on {}", fmt::join(e.tables, ", ")),
                     holders.empty() ? "" : fmt::format(", held by {}", fmt::join(holders, ", ")));
}

constexpr std::string_view kLockAdvice =
    "end the transaction holding the lock (pg_stat_activity shows it; pg_terminate_backend(pid) "
    "ends it) or wait for it, or raise lock_timeout ([migrations] in strata.toml, or "
    "lock_timeout: in the revision file)";

[[noreturn]] void give_up(const Step& step, const std::string& waited, int tries) {
  throw MigrationError(fmt::format(
      "revision {}: {}, {} time{}; the revision was rolled back, the database is where it was: "
      "{}",
      step.revision->describe(), waited, tries, tries == 1 ? "" : "s", kLockAdvice));
}

// Its operations ran one by one: those before the one that waited are done, and one that gave
// up halfway (CREATE INDEX CONCURRENTLY) may leave an invalid index behind.
[[noreturn]] void give_up_outside_transaction(const Step& step, const std::string& waited) {
  throw MigrationError(fmt::format(
      "revision {}: {}; not tried again, the revision being outside a transaction: what ran "
      "before it stays done, and an index built concurrently that gave up is left invalid (drop "
      "it); {}, then run the migration again",
      step.revision->describe(), waited, kLockAdvice));
}

// The wait before try `retry` + 1: `first`, doubled each time, give or take a quarter. A wait
// of a second or more is whole tenths, which the log line reads better ("2.2s").
std::chrono::milliseconds backoff(std::chrono::milliseconds first, int retry) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.75, 1.25);
  double ms = static_cast<double>(first.count()) * std::ldexp(1.0, std::min(retry - 1, 20)) *
              jitter(random);
  if (ms >= 1000) ms = std::round(ms / 100) * 100;
  return std::chrono::milliseconds(std::llround(ms));
}

// A run's lock is its session's, and its steps must follow the lock: behind a transaction
// pooler each transaction may run on another server connection.
void refuse_pooled(const Url& url) {
  if (!url.pooled()) return;
  throw ConfigError(fmt::format(
      "migrations through {} would take their lock on one server connection and run on others: "
      "the URL is marked pooled (prepared_statements=false or pgbouncer=true); run them on an "
      "engine made from a direct URL, as Config::migration_url() reads it from [migrations] url "
      "or STRATA_MIGRATION_URL",
      url.masked()));
}

}  // namespace

std::vector<std::string> current_heads(const Engine& engine, std::string_view version_table) {
  auto conn = engine.connect();
  // One statement on a migrated database, a round trip less on PostgreSQL: whether the table
  // exists is asked only when reading it failed. Missing, the database was never migrated;
  // there, a run beside this one made it since, or the failure was of another kind, which a
  // second read reports.
  try {
    return heads_in(conn, version_table);
  } catch (const DatabaseError&) {
    if (!Inspector(conn).has_relation(version_table)) return {};
  }
  return heads_in(conn, version_table);
}

// Holds the migration lock for a whole run where the backend has one.
class Runner::Lock {
 public:
  Lock(Connection& conn, const Dialect& dialect, std::int64_t key,
       std::chrono::milliseconds timeout)
      : conn_(conn), dialect_(dialect), key_(key) {
    std::string try_sql = dialect.try_lock_sql(key);
    if (try_sql.empty()) return;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!conn.execute(try_sql).scalar<bool>()) {
      if (std::chrono::steady_clock::now() >= deadline) throw_held(timeout);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    held_ = true;
  }
  ~Lock() {
    if (!held_) return;
    try {
      conn_.execute(dialect_.unlock_sql(key_));
    } catch (const std::exception&) {
      conn_.close();  // the session ends, and the lock with it
    }
  }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;
  bool held() const noexcept { return held_; }

 private:
  [[noreturn]] void throw_held(std::chrono::milliseconds timeout) {
    auto holders = conn_.execute(dialect_.lock_holder_sql(key_));
    auto holder = holders.first();
    std::string pid = holder ? std::to_string(holder->get<std::int64_t>(0)) : "unknown";
    throw MigrationError(
        fmt::format("another migration holds the lock (PostgreSQL backend pid {}); waited {:.1f} "
                    "s. Wait for it "
                    "to finish, or stop it with SELECT pg_terminate_backend({})",
                    pid, static_cast<double>(timeout.count()) / 1000.0, pid));
  }

  Connection& conn_;
  const Dialect& dialect_;
  std::int64_t key_;
  bool held_ = false;
};

RunnerOptions RunnerOptions::from(const Config& config) {
  RunnerOptions options;
  options.version_table = config.version_table();
  options.limits = {config.migration_lock_timeout(), config.migration_statement_timeout()};
  options.lock_retries = config.migration_lock_retries();
  return options;
}

Runner::Runner(Engine engine, const ScriptDirectory& scripts, RunnerOptions options)
    : engine_(std::move(engine)), scripts_(scripts), options_(std::move(options)) {}

VersionTables Runner::tables() const {
  return {options_.version_table, options_.history_table};
}

void Runner::ensure_tables(Connection& conn) {
  const Dialect& dialect = Dialect::of(engine_.backend());
  auto tx = conn.begin_immediate();
  Inspector inspector(conn);
  for (const Table& t : {tables().version_table(), tables().history_table()}) {
    if (inspector.has_table(t.name)) continue;
    for (const auto& sql : dialect.create_table(t)) conn.execute_script(sql);
  }
  tx.commit();
}

std::vector<std::string> Runner::read_heads(Connection& conn) {
  return heads_in(conn, options_.version_table);
}

std::vector<std::string> Runner::current() {
  return current_heads(engine_, options_.version_table);
}

void Runner::verify_checksums(Connection& conn) {
  if (options_.allow_changed) return;
  const Dialect& dialect = Dialect::of(engine_.backend());
  const auto& graph = scripts_.graph();
  // Every applied revision at once: asking is_ancestor per history row walks the graph as many
  // times as there are rows.
  auto below_heads = graph.closure(read_heads(conn));
  std::unordered_set<std::string_view> applied_ids(below_heads.begin(), below_heads.end());
  // The newest upgrade row of each revision holds the checksum it was applied with. One
  // grouping, not a subquery per row: the table has no index on revision, and grows forever.
  std::string history = dialect.quote(options_.history_table);
  auto recorded = conn.execute(
      fmt::format("SELECT h.revision, h.checksum FROM {0} h WHERE h.direction = 'upgrade' AND "
                  "h.id IN (SELECT max(l.id) FROM {0} l GROUP BY l.revision)",
                  history));
  for (const auto& row : recorded) {
    auto id = row.get<std::string>(0);
    auto sum = row.get<std::optional<std::string>>(1);
    if (!sum || !applied_ids.contains(id)) continue;
    const Revision& r = graph.get(id);
    std::string now = checksum_now(r, scripts_.has_operations());
    if (now == *sum) continue;
    throw MigrationError(fmt::format(
        "revision {} changed after it was applied: checksum {} then, {} now; restore the file, "
        "or run with allow_changed set to run anyway",
        r.describe(), *sum, now));
  }
}

void Runner::write_heads(Connection& conn, const std::vector<std::string>& heads) {
  for (const auto& sql : tables().write_heads_sql(Dialect::of(engine_.backend()), heads)) {
    conn.execute_script(sql);
  }
}

// The database as the sink of a run, with what is the runner's: another process may move the
// heads while this one waits for the database's write lock (SQLite has no lock across a run),
// so a step is claimed inside its transaction, and the heads written follow the database's.
class Runner::Race final : public detail::DatabaseSink {
 public:
  Race(Connection& conn, const Runner& runner, std::vector<std::string> start, SchemaState& state,
       detail::LiveShapes& live)
      : DatabaseSink(conn, runner.tables(), runner.options_.progress, runner.options_.limits),
        graph_(runner.scripts_.graph()),
        waiting_(runner.options_.waiting),
        version_table_(runner.options_.version_table),
        exclusive_(runner.exclusive_),
        known_(std::move(start)),
        state_(state),
        live_(live) {
    std::sort(known_->begin(), known_->end());
  }

  void announce(const Step& step) override {
    if (waiting_) waiting_(describe(step));
  }
  bool claim(const Step& step, detail::RenderedStep& rendered,
             const std::function<void()>& render_again) override;
  bool recorded_elsewhere(const Step& step) override;
  void record(const Step& step) override;
  void commit() override;
  // After a step rolled back, to be taken again: the schema is that of the database's heads,
  // which another process may have moved meanwhile.
  void rewind();

 private:
  // The heads read now when they differ from the ones this run wrote last.
  std::optional<std::vector<std::string>> moved_elsewhere();

  const RevisionGraph& graph_;
  const std::function<void(const std::string&)>& waiting_;
  const std::string& version_table_;
  // Under a lock that keeps other runners out, the heads this run wrote last are the
  // database's: no step reads them again.
  bool exclusive_;
  // Heads equal to the ones this run wrote last mean no other process moved them, which spares
  // a walk of the graph on every step of a long plan. After any surprise the walk decides.
  std::optional<std::vector<std::string>> known_;
  std::vector<std::string> heads_;    // the step's: what its version rows follow
  std::vector<std::string> written_;  // the heads the step's rows set, once committed
  SchemaState& state_;
  detail::LiveShapes& live_;
};

std::optional<std::vector<std::string>> Runner::Race::moved_elsewhere() {
  if (exclusive_ && known_) return std::nullopt;
  auto heads = heads_in(connection(), version_table_);
  std::sort(heads.begin(), heads.end());
  if (known_ && heads == *known_) return std::nullopt;
  known_.reset();
  return heads;
}

// Taken elsewhere, `state_` holds the step as the database does, unless it was read from a
// database already past it or the rendering stopped halfway: then it is replayed to the heads
// found. A step still to take is rendered again from there; one that now needs a rebuild
// cannot run, its foreign keys being on inside the transaction.
bool Runner::Race::claim(const Step& step, detail::RenderedStep& rendered,
                         const std::function<void()>& render_again) {
  heads_ = known_ ? *known_ : std::vector<std::string>{};
  auto now = moved_elsewhere();
  if (!now) return DatabaseSink::claim(step, rendered, render_again);
  heads_ = std::move(*now);
  const Revision& r = *step.revision;
  bool taken_elsewhere = applied(graph_, r.id, heads_) == step.upgrade;
  if (!taken_elsewhere && !graph_.can_take(heads_, r, step.upgrade)) moved_under(step, heads_);
  if (taken_elsewhere && !rendered.unfit && !rendered.reshaped) return false;
  state_ = replay_lenient(graph_, heads_, dialect());
  live_.forget();
  if (taken_elsewhere) return false;
  bool rebuild = rendered.rebuilds();
  render_again();
  if (rendered.rebuilds() && !rebuild) moved_under(step, heads_);
  return true;
}

// Outside a transaction the operations ran unlocked: the heads to write are read now, and a
// runner that recorded the step meanwhile has recorded it.
bool Runner::Race::recorded_elsewhere(const Step& step) {
  if (auto now = moved_elsewhere()) heads_ = std::move(*now);
  return !known_ && applied(graph_, step.revision->id, heads_) == step.upgrade;
}

void Runner::Race::record(const Step& step) {
  const Revision& r = *step.revision;
  Step taken{step.revision, step.upgrade, graph_.heads_after(heads_, r, step.upgrade)};
  DatabaseSink::record(taken);
  written_ = std::move(taken.heads_after);
  std::sort(written_.begin(), written_.end());
}

void Runner::Race::commit() {
  DatabaseSink::commit();
  known_ = std::move(written_);
}

void Runner::Race::rewind() {
  known_.reset();
  state_ = replay_lenient(graph_, heads_in(connection(), version_table_), dialect());
  live_.forget();
}

// Takes `step`, again after a wait while it gives up waiting for a lock and was rolled back.
bool Runner::take(Connection& conn, detail::StepExecutor& executor, Race& race, const Step& step) {
  for (int retry = 1;; ++retry) {
    try {
      return executor.run(step);
    } catch (const detail::LockWaitTimedOut& e) {
      std::string waited = waited_for(conn, e);
      if (!step.revision->transactional) give_up_outside_transaction(step, waited);
      if (retry > options_.lock_retries) give_up(step, waited, retry);
      auto wait = backoff(options_.retry_backoff, retry);
      std::string line = fmt::format(
          "revision {}: {}; rolled back, try {} of {} in {}", step.revision->describe(), waited,
          retry + 1, options_.lock_retries + 1, strata::detail::format_duration(wait));
      strata::detail::log(LogLevel::warn, "{}", line);
      if (options_.retrying) options_.retrying(line);
      std::this_thread::sleep_for(wait);
      race.rewind();
    }
  }
}

// `start` is what the plan was made from: the shapes and the heads each step checks against
// start there, whatever another process has done since (the first step sees that).
std::vector<Step> Runner::run(Connection& conn, std::vector<std::string> start, bool up,
                              std::string_view target) {
  const auto& graph = scripts_.graph();
  auto plan = up ? graph.plan_upgrade(start, target) : graph.plan_downgrade(start, target);
  if (plan.empty()) return plan;
  if (!scripts_.has_operations()) {
    throw MigrationError(fmt::format(
        "{} was loaded without its operations (Contents::graph); load it whole to run it",
        scripts_.location().string()));
  }
  const Dialect& dialect = Dialect::of(conn.backend());
  SchemaState state = replay_lenient(graph, start, dialect);
  // Online, each step starts from the database's own shape of the tables it touches (see
  // live_shape.hpp); `state` then follows the database step by step.
  detail::LiveShapes live(conn);
  Race race(conn, *this, std::move(start), state, live);
  detail::StepExecutor executor(dialect, live, race, state);
  // Only what this process applied: a step another process took meanwhile is theirs to report.
  std::vector<Step> taken;
  for (const auto& step : plan) {
    if (take(conn, executor, race, step)) taken.push_back(step);
  }
  return taken;
}

template <class Work>
auto Runner::locked(Work&& work) {
  refuse_pooled(engine_.url());
  auto conn = engine_.connect();
  // Locked first: two PostgreSQL sessions creating the version table at once would collide.
  Lock lock(conn, Dialect::of(engine_.backend()), lock_key(options_.version_table),
            options_.migration_lock_timeout);
  exclusive_ = lock.held();
  ensure_tables(conn);
  return work(conn);
}

std::vector<Step> Runner::upgrade(std::string_view target) {
  return locked([&](Connection& conn) {
    verify_checksums(conn);
    return run(conn, read_heads(conn), true, target);
  });
}

std::vector<Step> Runner::downgrade(std::string_view target) {
  return locked([&](Connection& conn) {
    verify_checksums(conn);
    return run(conn, read_heads(conn), false, target);
  });
}

std::vector<Step> Runner::plan(bool up, std::string_view target) {
  auto heads = current();
  return up ? scripts_.graph().plan_upgrade(heads, target)
            : scripts_.graph().plan_downgrade(heads, target);
}

void Runner::stamp(std::string_view target, bool purge) {
  if (purge && (target.starts_with('+') || target.starts_with('-'))) {
    throw ConfigError(fmt::format(
        "a stamp that purges needs a revision, head, heads or base, not '{}': the version table "
        "it would count from is the one being purged",
        target));
  }
  locked([&](Connection& conn) {
    auto tx = conn.begin_immediate();
    const auto& graph = scripts_.graph();
    write_heads(conn, purge ? graph.resolve(target, {}) : graph.stamped(read_heads(conn), target));
    tx.commit();
    return 0;
  });
}

}  // namespace strata::migrate
