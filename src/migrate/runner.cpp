#include "strata/migrate/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <unordered_set>

#include "../core/read_file.hpp"
#include "../dialect/sqlite_ddl.hpp"
#include "live_shape.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/inspector.hpp"
#include "strata/migrate/render.hpp"
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

// SQLite's foreign keys are off for a rebuild (they cannot change inside a transaction) and
// come back on afterwards, whatever happens in between.
class ForeignKeysOff {
 public:
  ForeignKeysOff(Connection& conn, const Dialect& dialect, bool needed)
      : conn_(conn),
        dialect_(dialect),
        active_(needed && !dialect.foreign_keys_sql(false).empty()) {
    if (active_) conn_.execute_script(dialect_.foreign_keys_sql(false));
  }
  ~ForeignKeysOff() {
    if (!active_) return;
    try {
      conn_.execute_script(dialect_.foreign_keys_sql(true));
    } catch (const std::exception&) {
      conn_.close();  // a connection in an unknown state does not go back to the pool
    }
  }
  ForeignKeysOff(const ForeignKeysOff&) = delete;
  ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

 private:
  Connection& conn_;
  const Dialect& dialect_;
  bool active_;
};

constexpr std::int64_t kRebuildProgressRows = 100'000;

// A rebuild of a large table copies for a while: say so before it starts.
void announce_rebuild(Connection& conn, const Dialect& dialect, const std::string& table,
                      const std::function<void(const std::string&)>& progress) {
  if (!progress) return;
  auto rows = conn.execute("SELECT count(*) FROM " + dialect.quote(table)).scalar<std::int64_t>();
  if (rows < kRebuildProgressRows) return;
  progress(fmt::format("  Rebuilding table {}: copying {} rows", table, rows));
}

// What a rebuild of a table drops with it, or must drop first: views (one naming the table
// would stop the rename), the table's indexes and triggers, and triggers elsewhere that name it.
struct Dependent {
  std::string type, name, sql;
};

std::vector<Dependent> dependents_of(Connection& conn, const Dialect& dialect,
                                     const std::string& table) {
  std::vector<Dependent> out;
  for (const auto& row : conn.execute(dialect.rebuild_dependents_sql(), table)) {
    out.push_back({row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2)});
  }
  return out;
}

// An index no revision declared, as the new shape needs it: its columns renamed as the rebuild
// renamed them; nothing when it uses a column the rebuild dropped (it goes with the column, as
// in PostgreSQL) or when it is the rebuild's own.
std::optional<std::string> undeclared_index(const RenderedOperation& op, const Dependent& index) {
  const auto& declared = op.declared_indexes;
  if (std::find(declared.begin(), declared.end(), index.name) != declared.end()) return {};
  std::map<std::string, std::string> renames;  // old name -> new name
  std::set<std::string> kept;
  for (const auto& [now, was] : op.sources) {
    kept.insert(was);
    if (now != was) renames.emplace(was, now);
  }
  std::vector<std::string> dropped;
  for (const auto& column : op.columns_before) {
    if (!kept.count(column)) dropped.push_back(column);
  }
  return strata::detail::index_for_new_shape(index.sql, renames, dropped);
}

// The views a rebuild can break: those naming the table, and those naming such a view. Each
// view is read once; a walk from the table over "named by" links finds them.
std::vector<std::string> views_over(const std::vector<Dependent>& dependents,
                                    const std::string& table) {
  std::map<std::string, std::vector<const Dependent*>> named_by;
  for (const auto& d : dependents) {
    if (d.type != "view") continue;
    for (const auto& name : strata::detail::sqlite_names(d.sql)) named_by[name].push_back(&d);
  }
  std::vector<std::string> out;
  std::set<const Dependent*> seen;
  std::vector<std::string> walk{strata::detail::fold_case(table)};
  while (!walk.empty()) {
    auto name = std::move(walk.back());
    walk.pop_back();
    for (const Dependent* view : named_by[name]) {
      if (!seen.insert(view).second) continue;
      out.push_back(view->name);
      walk.push_back(strata::detail::fold_case(view->name));
    }
  }
  return out;
}

// Runs a rebuild's statements between dropping its dependents and making them again from their
// stored SQL. Indexes the revisions declared are the rebuild's own (it makes those the new shape
// keeps); the others are made again here.
// A view that no longer works on the new shape fails the step rather than being left broken.
void rebuild(Connection& conn, const Dialect& dialect, const RenderedOperation& op,
             const std::function<void(const std::string&)>& progress) {
  announce_rebuild(conn, dialect, op.rebuilt_table, progress);
  auto dependents = dependents_of(conn, dialect, op.rebuilt_table);
  for (const auto& d : dependents) {
    if (d.type == "view" || d.type == "trigger") {
      conn.execute_script(fmt::format("DROP {} IF EXISTS {}", d.type, dialect.quote(d.name)));
    }
  }
  for (const auto& sql : op.statements) conn.execute_script(sql);
  for (const auto& d : dependents) {
    if (d.type != "index") {
      conn.execute_script(d.sql);
    } else if (auto sql = undeclared_index(op, d)) {
      conn.execute_script(*sql);
    }
  }
  for (const auto& view : views_over(dependents, op.rebuilt_table)) {
    conn.execute("SELECT * FROM " + dialect.quote(view) + " LIMIT 0");
  }
}

void execute_rendered(Connection& conn, const Dialect& dialect, const RenderedOperation& op,
                      const std::function<void(const std::string&)>& progress) {
  if (!op.rebuilt_table.empty() && !dialect.rebuild_dependents_sql().empty()) {
    rebuild(conn, dialect, op, progress);
    return;
  }
  for (const auto& sql : op.statements) conn.execute_script(sql);
}

// "operation 3 (alter_column)", or "operations 3-5 (one rebuild of items)".
std::string describe_operations(const std::vector<Operation>& ops, const RenderedOperation& op) {
  if (op.first == op.last) {
    return fmt::format("operation {} ({})", op.first + 1, operation_name(ops[op.first]));
  }
  return fmt::format("operations {}-{} (one rebuild of {})", op.first + 1, op.last + 1,
                     op.rebuilt_table);
}

std::vector<std::string> heads_in(Connection& conn, std::string_view version_table) {
  const Dialect& dialect = Dialect::of(conn.backend());
  std::vector<std::string> heads;
  for (const auto& row : conn.execute("SELECT version_num FROM " + dialect.quote(version_table) +
                                      " ORDER BY version_num")) {
    heads.push_back(row.get<std::string>(0));
  }
  return heads;
}

}  // namespace

std::vector<std::string> current_heads(const Engine& engine, std::string_view version_table) {
  auto conn = engine.connect();
  if (!Inspector(conn).has_relation(version_table)) return {};
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

void Runner::record(Connection& conn, const Step& step, std::chrono::milliseconds took) {
  for (const auto& sql : tables().record_sql(Dialect::of(engine_.backend()), step, took.count())) {
    conn.execute_script(sql);
  }
}

std::vector<std::string> Runner::sorted_heads(Connection& conn) {
  auto heads = read_heads(conn);
  std::sort(heads.begin(), heads.end());
  return heads;
}

// Heads equal to the ones this run wrote last mean no other process moved them, which spares
// a walk of the graph on every step of a long plan. After any surprise the walk decides.
std::optional<std::vector<std::string>> Runner::moved_elsewhere(Connection& conn,
                                                                KnownHeads& known) {
  auto heads = sorted_heads(conn);
  if (known && heads == *known) return std::nullopt;
  known.reset();
  return heads;
}

namespace {

std::vector<RenderedOperation> render_step(const Step& step, const Dialect& dialect,
                                           SchemaState& state) {
  const Revision& r = *step.revision;
  try {
    return render_all(step.upgrade ? r.upgrade : r.downgrade, dialect, state);
  } catch (const MigrationError& e) {
    throw MigrationError(fmt::format("{}: {} {}", r.file.string(),
                                     step.upgrade ? "upgrade" : "downgrade", e.what()));
  }
}

// A row of PRAGMA foreign_key_check: a row of `table` referring to a missing `parent` row.
struct Violation {
  std::string table, rowid, parent;
  auto operator<=>(const Violation&) const = default;
};
using Violations = std::set<Violation>;

Violations foreign_key_violations(Connection& conn, const Dialect& dialect) {
  Violations out;
  for (const auto& row : conn.execute(dialect.foreign_key_check_sql())) {
    auto rowid = row.get<std::optional<std::int64_t>>(1);
    out.insert(
        {row.get<std::string>(0), rowid ? std::to_string(*rowid) : "?", row.get<std::string>(2)});
  }
  return out;
}

// A violation the rebuild made stops it, and so does one it only carried over between the
// rebuilt tables and their children: foreign keys are promised to survive a rebuild. Broken
// rows elsewhere are none of this revision's business.
void check_foreign_keys(Connection& conn, const Dialect& dialect, const Revision& r,
                        const Violations& before, const std::set<std::string>& rebuilt,
                        std::string_view undone) {
  for (const auto& v : foreign_key_violations(conn, dialect)) {
    bool old = before.count(v) > 0;
    if (old && !rebuilt.count(v.table) && !rebuilt.count(v.parent)) continue;
    throw MigrationError(fmt::format(
        "{}: {} foreign key broken: row {} of table {} refers to a missing {} row{}; {}",
        r.file.string(), old ? "the rebuild found a" : "the rebuild left a", v.rowid, v.table,
        v.parent, old ? " (it was before this revision: fix or delete that row)" : "", undone));
  }
}

bool rebuilds(const std::vector<RenderedOperation>& rendered) {
  return std::any_of(rendered.begin(), rendered.end(),
                     [](const auto& op) { return !op.rebuilt_table.empty(); });
}

[[noreturn]] void moved_under(const Step& step, const std::vector<std::string>& heads) {
  throw MigrationError(fmt::format(
      "another process moved the database to {} while this {} waited to run revision {}; "
      "nothing of it was done: run the command again",
      heads.empty() ? "base" : fmt::format("{}", fmt::join(heads, ", ")),
      step.upgrade ? "upgrade" : "downgrade", step.revision->describe()));
}

bool has_execute(const std::vector<Operation>& ops) {
  return std::any_of(ops.begin(), ops.end(),
                     [](const Operation& op) { return std::holds_alternative<Execute>(op); });
}

}  // namespace

// Online, each step starts from the database's own shape of the tables it touches (see
// live_shape.hpp); `state` then follows the database step by step.
bool Runner::run_step(Connection& conn, const Step& step, SchemaState& state, KnownHeads& known,
                      detail::LiveShapes& live) {
  const Dialect& dialect = Dialect::of(engine_.backend());
  const Revision& r = *step.revision;
  const auto& graph = scripts_.graph();
  if (!step.upgrade && !r.has_downgrade) {
    throw MigrationError(fmt::format(
        "revision {} has no `downgrade:` section, so it cannot be reverted", r.describe()));
  }
  const auto& ops = step.upgrade ? r.upgrade : r.downgrade;
  // Everything is rendered first, so that a rebuild is known before the transaction starts.
  // What does not fit may be another process's step landing meanwhile: decided inside it.
  std::vector<RenderedOperation> rendered;
  std::exception_ptr unfit;
  bool reshaped = false;
  try {
    reshaped = live.settle(ops, state);
    rendered = render_step(step, dialect, state);
  } catch (const MigrationError&) {
    unfit = std::current_exception();
  }
  bool rebuild = rebuilds(rendered);
  if (options_.waiting) options_.waiting(describe(step));
  ForeignKeysOff keys_off(conn, dialect, rebuild);
  std::optional<Transaction> tx;
  if (r.transactional) tx.emplace(conn.begin_immediate());
  // Another process may have run steps while this one waited for the write lock (SQLite has no
  // lock across a run): the heads written and the shapes rendered follow the database's.
  std::vector<std::string> heads = known ? *known : std::vector<std::string>{};
  if (auto now = moved_elsewhere(conn, known)) {
    heads = *now;
    bool taken_elsewhere = applied(graph, r.id, heads) == step.upgrade;
    if (!taken_elsewhere && !graph.can_take(heads, r, step.upgrade)) moved_under(step, heads);
    // Taken elsewhere, `state` holds the step as the database does, unless it was read from a
    // database already past it or the rendering stopped halfway.
    if (taken_elsewhere && !unfit && !reshaped) return false;
    state = replay_lenient(graph, heads, dialect);
    live.forget();
    if (taken_elsewhere) return false;
    live.settle(ops, state);
    rendered = render_step(step, dialect, state);
    if (rebuilds(rendered) && !rebuild) moved_under(step, heads);
  } else if (unfit) {
    std::rethrow_exception(unfit);
  }
  if (options_.progress) options_.progress(describe(step));
  auto started = std::chrono::steady_clock::now();
  run_operations(conn, step, rendered, tx.has_value());
  if (!tx) {
    // Outside a transaction the operations ran unlocked: the heads to write are read now, and
    // a runner that recorded the step meanwhile has recorded it.
    tx.emplace(conn.begin_immediate());
    if (auto now = moved_elsewhere(conn, known)) heads = *now;
    if (!known && applied(graph, r.id, heads) == step.upgrade) return true;
  }
  Step taken{step.revision, step.upgrade, graph.heads_after(heads, r, step.upgrade)};
  record(conn, taken,
         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started));
  tx->commit();
  known = std::move(taken.heads_after);
  std::sort(known->begin(), known->end());
  // Raw SQL may have changed any table.
  if (has_execute(ops)) live.forget();
  return true;
}

// A revision outside a transaction still runs each rebuild in one: half of a rebuild would
// leave the table under another name.
void Runner::run_operations(Connection& conn, const Step& step,
                            const std::vector<RenderedOperation>& rendered, bool in_transaction) {
  const Dialect& dialect = Dialect::of(engine_.backend());
  const Revision& r = *step.revision;
  const auto& ops = step.upgrade ? r.upgrade : r.downgrade;
  std::set<std::string> rebuilt;
  for (const auto& op : rendered) {
    if (!op.rebuilt_table.empty()) rebuilt.insert(op.rebuilt_table);
  }
  bool checked = in_transaction && !rebuilt.empty();
  Violations before = checked ? foreign_key_violations(conn, dialect) : Violations{};
  for (const auto& op : rendered) {
    std::optional<Transaction> own;
    Violations own_before;
    if (!in_transaction && !op.rebuilt_table.empty()) {
      own.emplace(conn.begin_immediate());
      own_before = foreign_key_violations(conn, dialect);
    }
    try {
      execute_rendered(conn, dialect, op, options_.progress);
    } catch (const DatabaseError& e) {
      throw MigrationError(fmt::format("{}: {} {} failed: {}", r.file.string(),
                                       step.upgrade ? "upgrade" : "downgrade",
                                       describe_operations(ops, op), e.what()));
    }
    if (!own) continue;
    check_foreign_keys(conn, dialect, r, own_before, {op.rebuilt_table},
                       "that rebuild was rolled back; the operations before it stay done, as the "
                       "revision is not transactional");
    own->commit();
  }
  if (checked)
    check_foreign_keys(conn, dialect, r, before, rebuilt, "the revision was rolled back");
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
  SchemaState state = replay_lenient(graph, start, Dialect::of(conn.backend()));
  std::sort(start.begin(), start.end());
  KnownHeads known = std::move(start);
  detail::LiveShapes live(conn);
  // Only what this process applied: a step another process took meanwhile is theirs to report.
  std::vector<Step> taken;
  for (const auto& step : plan) {
    if (run_step(conn, step, state, known, live)) taken.push_back(step);
  }
  return taken;
}

template <class Work>
auto Runner::locked(Work&& work) {
  auto conn = engine_.connect();
  // Locked first: two PostgreSQL sessions creating the version table at once would collide.
  Lock lock(conn, Dialect::of(engine_.backend()), lock_key(options_.version_table),
            options_.lock_timeout);
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
