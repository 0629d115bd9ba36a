// One step of a run, taken through one sequence online and offline: the downgrade is checked,
// the step is rendered against the shape it starts from, foreign keys go off around a rebuild
// where the dialect needs that (SQLite), then BEGIN, the operations, the foreign key check, the
// version and history rows, COMMIT. Where the shape comes from (a ShapeSource: the live database
// or the replay alone) and where the statements go (a StepSink: a connection or a script's text)
// are the only differences. Private to migrate.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/engine/connection.hpp"
#include "strata/migrate/graph.hpp"
#include "strata/migrate/render.hpp"
#include "version_tables.hpp"

namespace strata::migrate::detail {

// What an operation on a missing object is told where the replay is all there is: an object
// made by hand, by `execute` or before strata is not in it. Empty for other errors.
inline std::string offline_hint(std::string_view message) {
  if (message.find("does not exist") == std::string_view::npos) return "";
  return "; an offline script knows only what the history creates: if the database has this "
         "object (made by hand, by execute, or before strata), run the command online, or put "
         "the object in the history (`strata revision --baseline` for a database strata has not "
         "migrated yet)";
}

// An operation that gave up waiting for a lock (the statement limit lock_timeout). The step was
// rolled back when it ran in a transaction, and may then be taken again.
class LockWaitTimedOut : public MigrationError {
 public:
  LockWaitTimedOut(const std::string& message, std::string what, std::vector<std::string> locked,
                   std::chrono::milliseconds limit)
      : MigrationError(message),
        operation(std::move(what)),
        tables(std::move(locked)),
        waited(limit) {}

  std::string operation;            // "upgrade operation 2 (alter_column items.title)"
  std::vector<std::string> tables;  // the existing tables it works on, whose lock it waited for
  std::chrono::milliseconds waited;
};

// Where a step's shape comes from.
class ShapeSource {
 public:
  virtual ~ShapeSource() = default;
  // Brings the tables `ops` touch to their real shape in `state`; whether that changed it.
  virtual bool settle(const std::vector<Operation>& ops, SchemaState& state) = 0;
  // Everything read so far may be stale: after `execute`, or when another process ran steps.
  virtual void forget() = 0;
  // Added to `message`, the error of an operation that does not fit the shape.
  virtual std::string unfit_hint(std::string_view /*message*/) const { return ""; }
};

// The replayed schema alone (offline): nothing to read.
class ReplayShapes final : public ShapeSource {
 public:
  bool settle(const std::vector<Operation>& /*ops*/, SchemaState& /*state*/) override {
    return false;
  }
  void forget() override {}
  std::string unfit_hint(std::string_view message) const override { return offline_hint(message); }
};

// A step rendered against the shape it starts from.
struct RenderedStep {
  std::vector<RenderedOperation> operations;
  std::exception_ptr unfit;  // the MigrationError of an operation that did not fit the shape
  bool reshaped = false;     // the source changed the shape the step starts from
  bool rebuilds() const;
};

// Where a step's statements go. The executor calls these in the order of the sequence.
class StepSink {
 public:
  virtual ~StepSink() = default;
  // Before anything of the step is written or locked.
  virtual void announce(const Step& step) = 0;
  virtual void foreign_keys_off() = 0;
  virtual void begin() = 0;
  // Inside the step's transaction (a transactional one), before its operations: whether this
  // process takes the step. `render_again` renders `rendered` anew from the state as it is
  // then. By default the step is taken, or what did not fit is thrown.
  virtual bool claim(const Step& step, RenderedStep& rendered,
                     const std::function<void()>& render_again);
  virtual void operations(const Step& step, const std::vector<RenderedOperation>& rendered,
                          bool in_transaction) = 0;
  // A step outside a transaction, its version rows' transaction just begun: whether another
  // process recorded it meanwhile, which leaves nothing to record here.
  virtual bool recorded_elsewhere(const Step& /*step*/) { return false; }
  virtual void record(const Step& step) = 0;
  virtual void commit() = 0;
  // Ends the step, committed or not: what was not committed is rolled back, and foreign keys
  // come back on when `foreign_keys_were_off`. Runs while an exception unwinds: must not throw.
  virtual void close(bool foreign_keys_were_off) noexcept = 0;
};

// Takes steps one at a time from `state`, which follows them. Borrows everything; not
// thread-safe.
class StepExecutor {
 public:
  StepExecutor(const Dialect& dialect, ShapeSource& source, StepSink& sink, SchemaState& state);

  // Whether this process took the step: online, another process may have taken it meanwhile.
  // Throws MigrationError naming the revision file when the step cannot be taken.
  bool run(const Step& step);

 private:
  RenderedStep render(const Step& step);
  std::vector<RenderedOperation> render_operations(const Step& step);

  const Dialect& dialect_;
  ShapeSource& source_;
  StepSink& sink_;
  SchemaState& state_;
};

// The database as the sink: statements run on a borrowed connection, each step in a
// transaction of its own (a rebuild in a revision outside a transaction still runs in one),
// under the revision's statement limits. Not thread-safe, as the connection is not.
class DatabaseSink : public StepSink {
 public:
  DatabaseSink(Connection& conn, VersionTables tables, ProgressFn progress,
               StatementLimits limits = {});

  void announce(const Step& /*step*/) override {}
  void foreign_keys_off() override;
  void begin() override;
  void operations(const Step& step, const std::vector<RenderedOperation>& rendered,
                  bool in_transaction) override;
  // The step's rows, with the time its operations took.
  void record(const Step& step) override;
  void commit() override;
  void close(bool foreign_keys_were_off) noexcept override;

 protected:
  Connection& connection() { return conn_; }
  const Dialect& dialect() const { return dialect_; }

 private:
  void run_operation(const Step& step, const RenderedOperation& op);
  [[noreturn]] void fail(const Step& step, const RenderedOperation& op, const DatabaseError& e);

  Connection& conn_;
  const Dialect& dialect_;
  VersionTables tables_;
  ProgressFn progress_;
  StatementLimits defaults_;
  StatementLimits limits_;  // the step's
  std::optional<Transaction> tx_;
  std::chrono::steady_clock::time_point started_;
  // Statements for the step's next round trip to carry first (its SET LOCAL limits).
  std::string deferred_;
};

// SQL text as the sink: the offline script. Each statement ends in one semicolon; the framing
// around the steps (header, version tables) is written through the same methods. Owns the
// text; not thread-safe.
class ScriptSink final : public StepSink {
 public:
  ScriptSink(const Dialect& dialect, VersionTables tables);

  // Every line commented: a revision's message may span several.
  void comment(std::string_view text);
  void statement(std::string_view sql);
  void statements(const std::vector<std::string>& sql);
  void blank() { out_ += "\n"; }
  std::string take() { return std::move(out_); }

  void announce(const Step& step) override { comment(describe(step)); }
  void foreign_keys_off() override { statement(dialect_.foreign_keys_sql(false)); }
  void begin() override { statement("BEGIN"); }
  void operations(const Step& step, const std::vector<RenderedOperation>& rendered,
                  bool in_transaction) override;
  void record(const Step& step) override;
  void commit() override { statement("COMMIT"); }
  void close(bool foreign_keys_were_off) noexcept override;

 private:
  const Dialect& dialect_;
  VersionTables tables_;
  std::string out_;
};

}  // namespace strata::migrate::detail
