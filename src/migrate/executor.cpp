#include "executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "../core/duration.hpp"
#include "../core/sql_lexer.hpp"
#include "live_shape.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate::detail {
namespace {

bool has_execute(const std::vector<Operation>& ops) {
  return std::any_of(ops.begin(), ops.end(),
                     [](const Operation& op) { return std::holds_alternative<Execute>(op); });
}

const std::vector<Operation>& operations_of(const Step& step) {
  return step.upgrade ? step.revision->upgrade : step.revision->downgrade;
}

const char* direction(const Step& step) {
  return step.upgrade ? "upgrade" : "downgrade";
}

// Foreign keys off for the step's life where it needs them off, and the step closed at its end
// whatever happens in between.
class StepScope {
 public:
  StepScope(StepSink& sink, bool keys_off) : sink_(sink), keys_off_(keys_off) {
    if (keys_off_) sink_.foreign_keys_off();
  }
  ~StepScope() { sink_.close(keys_off_); }
  StepScope(const StepScope&) = delete;
  StepScope& operator=(const StepScope&) = delete;

 private:
  StepSink& sink_;
  bool keys_off_;
};

// Whether `sql` ends in a `--` comment as the script's backend reads it (a string or comment
// can hide `--` from one backend and not from another).
bool ends_in_line_comment(std::string_view sql, const strata::detail::SqlSyntax& syntax) {
  auto tokens = strata::detail::tokenize_sql(sql, syntax);
  auto last = std::find_if(tokens.rbegin(), tokens.rend(), [](const auto& t) {
    return t.kind != strata::detail::SqlTokenKind::whitespace;
  });
  return last != tokens.rend() && last->kind == strata::detail::SqlTokenKind::line_comment;
}

}  // namespace

bool RenderedStep::rebuilds() const {
  return std::any_of(operations.begin(), operations.end(),
                     [](const auto& op) { return !op.rebuilt_table.empty(); });
}

bool StepSink::claim(const Step& /*step*/, RenderedStep& rendered,
                     const std::function<void()>& /*render_again*/) {
  if (rendered.unfit) std::rethrow_exception(rendered.unfit);
  return true;
}

StepExecutor::StepExecutor(const Dialect& dialect, ShapeSource& source, StepSink& sink,
                           SchemaState& state)
    : dialect_(dialect), source_(source), sink_(sink), state_(state) {}

// The step is rendered before its transaction, so that a rebuild is known before it starts;
// what does not fit is kept for the sink to decide inside it (online, it may be another
// process's step landing meanwhile).
bool StepExecutor::run(const Step& step) {
  const Revision& r = *step.revision;
  if (!step.upgrade && !r.has_downgrade) {
    throw MigrationError(fmt::format(
        "revision {} has no `downgrade:` section, so it cannot be reverted", r.describe()));
  }
  RenderedStep rendered = render(step);
  sink_.announce(step);
  StepScope scope(sink_, rendered.rebuilds() && dialect_.rebuild_needs_foreign_keys_off());
  if (r.transactional) sink_.begin();
  auto render_again = [&] {
    rendered = RenderedStep{};
    rendered.reshaped = source_.settle(operations_of(step), state_);
    rendered.operations = render_operations(step);
  };
  if (!sink_.claim(step, rendered, render_again)) return false;
  sink_.operations(step, rendered.operations, r.transactional);
  if (!r.transactional) {
    sink_.begin();
    if (sink_.recorded_elsewhere(step)) return true;
  }
  sink_.record(step);
  sink_.commit();
  // Raw SQL may have changed any table.
  if (has_execute(operations_of(step))) source_.forget();
  return true;
}

RenderedStep StepExecutor::render(const Step& step) {
  RenderedStep out;
  try {
    out.reshaped = source_.settle(operations_of(step), state_);
    out.operations = render_operations(step);
  } catch (const MigrationError&) {
    out.unfit = std::current_exception();
  }
  return out;
}

std::vector<RenderedOperation> StepExecutor::render_operations(const Step& step) {
  try {
    return render_all(operations_of(step), dialect_, state_);
  } catch (const MigrationError& e) {
    throw MigrationError(fmt::format("{}: {} {}{}", step.revision->file.string(), direction(step),
                                     e.what(), source_.unfit_hint(e.what())));
  } catch (const ProgrammingError& e) {
    // SQL the dialect cannot write for this backend, refused before anything was sent.
    throw MigrationError(
        fmt::format("{}: {} {}", step.revision->file.string(), direction(step), e.what()));
  }
}

namespace {

// "operation 3 (alter_column)", or "operations 3-5 (one rebuild of items)".
std::string describe_operations(const std::vector<Operation>& ops, const RenderedOperation& op) {
  if (op.first == op.last) {
    return fmt::format("operation {} ({})", op.first + 1, operation_name(ops[op.first]));
  }
  return fmt::format("operations {}-{} (one rebuild of {})", op.first + 1, op.last + 1,
                     op.rebuilt_table);
}

TableRebuild as_rebuild(const RenderedOperation& op) {
  return {op.rebuilt_table, op.statements, op.sources, op.declared_indexes, op.columns_before};
}

// Foreign keys are promised to survive a rebuild: a violation it made or carried over stops it.
void check_foreign_keys(Connection& conn, const Dialect& dialect, const Revision& r,
                        const ForeignKeyViolations& before, const std::set<std::string>& rebuilt,
                        std::string_view undone) {
  std::optional<ForeignKeyViolation> v;
  try {
    v = dialect.broken_by_rebuild(conn, before, rebuilt);
  } catch (const DatabaseError& e) {
    // A foreign key the rebuild made unreadable ("foreign key mismatch") is this revision's.
    throw MigrationError(fmt::format("{}: the foreign key check after the rebuild failed: {}; {}",
                                     r.file.string(), e.what(), undone));
  }
  if (!v) return;
  bool old = before.count(*v) > 0;
  throw MigrationError(fmt::format(
      "{}: {} foreign key broken: row {} of table {} refers to a missing {} row{}; {}",
      r.file.string(), old ? "the rebuild found a" : "the rebuild left a", v->rowid, v->table,
      v->parent, old ? " (it was before this revision: fix or delete that row)" : "", undone));
}

// The tables whose locks an operation waits for: those it works on that exist before it, and
// the table a new foreign key refers to.
std::vector<std::string> locked_tables(const Operation& op) {
  auto tables = touched(op).read;
  if (const auto* fk = std::get_if<CreateForeignKey>(&op)) {
    tables.push_back(fk->constraint.referred_table);
  }
  return tables;
}

// A step's statement limits on the connection for the life of its operations. Inside its
// transaction they are SET LOCAL and end with it, so nothing stays on a connection that a
// pooler hands to another client; they are then added to `deferred`, to go with the step's
// next statement in its round trip. Outside one (transactional: false) they are set for the
// session at once and put back afterwards, however the operations end.
class LimitsScope {
 public:
  LimitsScope(Connection& conn, const Dialect& dialect, const StatementLimits& limits, bool local,
              std::string& deferred)
      : conn_(conn), dialect_(dialect), local_(local), deferred_(deferred) {
    try {
      set(Dialect::Limit::lock_wait, limits.lock_timeout);
      if (limits.statement_timeout) set(Dialect::Limit::statement, *limits.statement_timeout);
    } catch (...) {
      reset();
      throw;
    }
  }
  ~LimitsScope() { reset(); }
  LimitsScope(const LimitsScope&) = delete;
  LimitsScope& operator=(const LimitsScope&) = delete;

 private:
  void set(Dialect::Limit limit, std::chrono::milliseconds value) {
    std::string sql = dialect_.set_limit_sql(limit, value, local_);
    if (sql.empty()) return;
    if (local_) {
      deferred_ += sql + ";\n";
      return;
    }
    set_.push_back(limit);
    conn_.execute_script(sql);
  }

  void reset() noexcept {
    if (local_) return;
    try {
      for (auto limit : set_) conn_.execute_script(dialect_.reset_limit_sql(limit));
    } catch (const std::exception&) {
      conn_.close();  // a session that kept the limits does not go back to the pool
    }
  }

  Connection& conn_;
  const Dialect& dialect_;
  bool local_;
  std::string& deferred_;
  std::vector<Dialect::Limit> set_;
};

// What is left of a revision whose operation failed.
std::string_view left_by(const Revision& r) {
  return r.transactional ? "the revision was rolled back"
                         : "what ran before it stays done, the revision being outside a "
                           "transaction";
}

}  // namespace

DatabaseSink::DatabaseSink(Connection& conn, VersionTables tables, ProgressFn progress,
                           StatementLimits limits)
    : conn_(conn),
      dialect_(Dialect::of(conn.backend())),
      tables_(std::move(tables)),
      progress_(std::move(progress)),
      defaults_(limits) {}

void DatabaseSink::foreign_keys_off() {
  conn_.execute_script(dialect_.foreign_keys_sql(false));
}

void DatabaseSink::begin() {
  tx_.emplace(conn_.begin_immediate());
}

// Progress is told here, once the step is this process's to take. A revision outside a
// transaction still runs each rebuild in one: half of a rebuild would leave the table under
// another name.
void DatabaseSink::operations(const Step& step, const std::vector<RenderedOperation>& rendered,
                              bool in_transaction) {
  if (progress_) progress_(describe(step));
  started_ = std::chrono::steady_clock::now();
  deferred_.clear();
  const Revision& r = *step.revision;
  limits_ = r.limits(defaults_);
  // A revision outside a transaction is where CREATE INDEX CONCURRENTLY goes, which waits for
  // every older transaction in the database, not for one table's lock: the default would fail
  // it on any busy server and leave an invalid index. Only the file's own lock_timeout applies.
  if (!in_transaction && !r.lock_timeout) limits_.lock_timeout = std::chrono::milliseconds(0);
  LimitsScope limits(conn_, dialect_, limits_, in_transaction, deferred_);
  std::set<std::string> rebuilt;
  for (const auto& op : rendered) {
    if (!op.rebuilt_table.empty()) rebuilt.insert(op.rebuilt_table);
  }
  bool checked = in_transaction && !rebuilt.empty();
  auto before = checked ? dialect_.foreign_key_violations(conn_) : ForeignKeyViolations{};
  for (const auto& op : rendered) {
    if (in_transaction || op.rebuilt_table.empty()) {
      run_operation(step, op);
      continue;
    }
    auto own = conn_.begin_immediate();
    auto own_before = dialect_.foreign_key_violations(conn_);
    run_operation(step, op);
    check_foreign_keys(conn_, dialect_, r, own_before, {op.rebuilt_table},
                       "that rebuild was rolled back; the operations before it stay done, as the "
                       "revision is not transactional");
    own.commit();
  }
  if (checked)
    check_foreign_keys(conn_, dialect_, r, before, rebuilt, "the revision was rolled back");
}

void DatabaseSink::run_operation(const Step& step, const RenderedOperation& op) {
  try {
    if (op.rebuilt_table.empty()) {
      for (const auto& sql : op.statements)
        conn_.execute_script(std::exchange(deferred_, {}) + sql);
    } else {
      if (!deferred_.empty()) conn_.execute_script(std::exchange(deferred_, {}));
      dialect_.carry_out(conn_, as_rebuild(op), progress_);
    }
  } catch (const DatabaseError& e) {
    fail(step, op, e);
  }
}

void DatabaseSink::fail(const Step& step, const RenderedOperation& op, const DatabaseError& e) {
  const Revision& r = *step.revision;
  const auto& ops = operations_of(step);
  std::string what = fmt::format("{} {}", direction(step), describe_operations(ops, op));
  std::string message = fmt::format("{}: {} failed: {}", r.file.string(), what, e.what());
  if (dialect_.exceeded(Dialect::Limit::lock_wait, e)) {
    throw LockWaitTimedOut(message, what, locked_tables(ops[op.first]), limits_.lock_timeout);
  }
  if (limits_.statement_timeout && dialect_.exceeded(Dialect::Limit::statement, e)) {
    throw MigrationError(fmt::format(
        "revision {}: {} ran longer than statement_timeout {} and was cancelled; {}: raise "
        "statement_timeout ([migrations] in strata.toml, or statement_timeout: in the revision "
        "file) or make the operation lighter",
        r.describe(), what, strata::detail::format_duration(*limits_.statement_timeout),
        left_by(r)));
  }
  throw MigrationError(message);
}

void DatabaseSink::record(const Step& step) {
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started_);
  // One script: on a server the version and history rows cost one round trip, not three
  // (a step's round trips are most of what an upgrade over a network costs).
  conn_.execute_script(
      std::exchange(deferred_, {}) +
      fmt::format("{};", fmt::join(tables_.record_sql(dialect_, step, took.count()), ";\n")));
}

void DatabaseSink::commit() {
  tx_->commit();
}

void DatabaseSink::close(bool foreign_keys_were_off) noexcept {
  tx_.reset();  // rolls back what was not committed, before foreign keys can change again
  if (!foreign_keys_were_off) return;
  try {
    conn_.execute_script(dialect_.foreign_keys_sql(true));
  } catch (const std::exception&) {
    conn_.close();  // a connection in an unknown state does not go back to the pool
  }
}

ScriptSink::ScriptSink(const Dialect& dialect, VersionTables tables)
    : dialect_(dialect), tables_(std::move(tables)) {}

void ScriptSink::comment(std::string_view text) {
  for (auto end = text.find('\n'); end != std::string_view::npos; end = text.find('\n')) {
    out_ += fmt::format("-- {}\n", text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  out_ += fmt::format("-- {}\n", text);
}

// A semicolon after a trailing `--` comment would be commented out with it and join this
// statement to the next: it goes on a line of its own then.
void ScriptSink::statement(std::string_view sql) {
  while (!sql.empty() && std::string_view(" \t\r\n;").find(sql.back()) != std::string_view::npos) {
    sql.remove_suffix(1);
  }
  out_ += sql;
  out_ += ends_in_line_comment(sql, dialect_.sql_syntax()) ? "\n;\n" : ";\n";
}

void ScriptSink::statements(const std::vector<std::string>& sql) {
  for (const auto& s : sql) statement(s);
}

// A script cannot check foreign keys itself: it lists the rows that break one for whoever runs
// it.
void ScriptSink::operations(const Step& /*step*/, const std::vector<RenderedOperation>& rendered,
                            bool /*in_transaction*/) {
  bool rebuild = false;
  for (const auto& op : rendered) {
    statements(op.statements);
    rebuild |= !op.rebuilt_table.empty();
  }
  if (!rebuild || !dialect_.rebuild_needs_foreign_keys_off()) return;
  comment("a row printed here breaks a foreign key: roll this revision back");
  statement(dialect_.foreign_key_check_sql());
}

// The duration is unknown in a script.
void ScriptSink::record(const Step& step) {
  statements(tables_.record_sql(dialect_, step, std::nullopt));
}

void ScriptSink::close(bool foreign_keys_were_off) noexcept {
  if (foreign_keys_were_off) statement(dialect_.foreign_keys_sql(true));
  blank();
}

}  // namespace strata::migrate::detail
