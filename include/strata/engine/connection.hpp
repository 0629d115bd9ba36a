// A connection lent by an Engine's pool, and transactions on it. SQL uses `?` for positional
// parameters or `:name` for named ones, on every backend; strata renders them to the backend's
// own style, and every value is bound, never spliced into the text. `??` stands for a literal
// `?` (PostgreSQL's jsonb operators).
#pragma once

#include <array>
#include <functional>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "strata/engine/batch.hpp"
#include "strata/engine/pool.hpp"
#include "strata/engine/prepared.hpp"
#include "strata/engine/result.hpp"

namespace strata {

class Transaction;

// One pooled connection. Move-only; used by one thread at a time. It goes back to the pool,
// with any transaction left open rolled back, once this object and every Result and
// Transaction made from it are gone: a Result may outlive the Connection that ran it.
class Connection {
 public:
  Connection(std::shared_ptr<Pool> pool, detail::PooledPtr connection);
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  Result execute(std::string_view sql) { return execute(sql, std::span<const ValueRef>()); }
  template <class... Args>
  requires(sizeof...(Args) > 0 && (std::is_constructible_v<ValueRef, const Args&> && ...)) Result
      execute(std::string_view sql, const Args&... args) {
    const std::array<ValueRef, sizeof...(Args)> params{ValueRef(args)...};
    return execute(sql, std::span<const ValueRef>(params));
  }
  Result execute(std::string_view sql, std::span<const ValueRef> params);
  Result execute(std::string_view sql, const std::vector<Value>& params);
  Result execute(std::string_view sql, std::initializer_list<NamedParam> params) {
    return execute(sql, std::span<const NamedParam>(params.begin(), params.size()));
  }
  Result execute(std::string_view sql, std::span<const NamedParam> params);
  // SQL already in the backend's own placeholders (?N or $N), as the SQL compiler and the
  // dialect produce it: nothing is rewritten.
  Result execute_native(std::string_view sql, std::span<const ValueRef> params);

  // The statement prepared once, to be run many times without looking it up again (see
  // PreparedStatement). Same placeholders as execute(); throws UsageError on a closed
  // Connection, and on SQLite the DatabaseError of SQL it cannot prepare.
  PreparedStatement prepare(std::string_view sql);

  // Copies rows into `table` ("name" or "schema.name"), in its `columns`: on PostgreSQL one
  // COPY ... FROM STDIN (two round trips however many rows), on SQLite a prepared INSERT per
  // row. All rows or none: outside a transaction the copy is one of its own; inside one, a
  // failing row fails the transaction on PostgreSQL, as a failing statement does, and on
  // SQLite undoes the copy alone. A row the database refuses (a constraint, a bad value, an
  // unknown table or column) throws its DatabaseError, with its SQLSTATE on PostgreSQL.
  // Gives the number of rows copied.
  // Every row is checked before anything is sent: a row with the wrong number of values is a
  // UsageError naming the table and the row's index. No columns is a UsageError too; no rows
  // copies nothing and sends nothing.
  std::int64_t copy_in(std::string_view table, std::span<const std::string_view> columns,
                       std::span<const std::vector<Value>> rows);
  // The streaming form: `next` fills `row` (given empty) with the next row's values, which stay
  // valid until its next call, and returns false after the last row; no more than a chunk of
  // rows (64 KiB of COPY text) is held at a time. A bad row, or an exception from `next`,
  // undoes the copy; if rows had already been sent, on PostgreSQL inside a transaction that
  // transaction fails, as a failing statement's would. `next` must not use this Connection:
  // on PostgreSQL it is in the middle of the COPY.
  using CopyRowSource = std::function<bool(std::vector<ValueRef>& row)>;
  std::int64_t copy_in(std::string_view table, std::span<const std::string_view> columns,
                       const CopyRowSource& next);

  // Runs statements separated by semicolons, without parameters or rows (DDL, scripts).
  void execute_script(std::string_view sql);

  // Runs the batch's statements in order, all or nothing, and gives each one's rows affected;
  // `on_row` sees the rows they return (RETURNING). PostgreSQL receives them in one pipeline:
  // one round trip. Outside a transaction the batch is a transaction of its own; inside one, a
  // failing statement fails the transaction on PostgreSQL, and on SQLite undoes the batch
  // alone, or with BatchUndo::transaction nothing: the caller rolls the transaction back. The
  // first failing statement throws the DatabaseError it would throw alone (naming it), and no
  // statement after it is applied. Every statement is prepared, and its values checked, before
  // any is sent: a wrong call is a UsageError that sent nothing. An empty batch is a
  // UsageError. Statements that begin or end transactions do not belong in one.
  std::vector<std::int64_t> execute_batch(const Batch& batch, const BatchRowVisitor& on_row = {},
                                          BatchUndo undo = BatchUndo::batch);
  // One statement over many rows of values, as a batch: the total of rows affected. No rows is
  // a UsageError.
  std::int64_t execute_many(std::string_view sql, std::span<const std::vector<Value>> rows,
                            BatchUndo undo = BatchUndo::batch);
  // execute_batch for statements in the backend's own placeholders (as the SQL compiler and
  // the ORM write them), with values the caller keeps alive during the call: nothing copied.
  struct NativeStep {
    std::string_view sql;
    std::span<const ValueRef> params;
  };
  std::vector<std::int64_t> execute_native_batch(std::span<const NativeStep> steps,
                                                 const BatchRowVisitor& on_row = {},
                                                 BatchUndo undo = BatchUndo::batch);

  // How many times this connection has waited for its server since it opened (a statement,
  // a prepare, a whole batch); 0 on SQLite, which has no server. The count belongs to the
  // pooled connection, so take differences. For tests and diagnostics.
  std::uint64_t round_trips() const;

  // A transaction, or a savepoint when one is already open. `begin_immediate` takes SQLite's
  // write lock at once (BEGIN IMMEDIATE), so that a writer waits at the start rather than
  // failing on upgrade from a read; other backends begin as usual.
  Transaction begin();
  Transaction begin_immediate();
  bool in_transaction() const noexcept;

  Backend backend() const noexcept;
  // The masked URL of the database.
  std::string url() const;
  // Lets go of the connection; it returns to the pool when no Result uses it any more. The
  // object is empty afterwards.
  void close() noexcept;

 private:
  friend class Transaction;
  detail::PooledConnection& checked() const;
  Result run(std::string_view sql, std::span<const ValueRef> params,
             std::span<const NamedParam> named, bool native);
  Result run_fresh(std::string_view sql, std::span<const ValueRef> params,
                   std::span<const NamedParam> named, bool native, bool cache);

  std::shared_ptr<Pool> pool_;
  std::shared_ptr<detail::PooledConnection> conn_;
};

// A transaction or savepoint on a Connection; rolls back unless committed. Lives on the stack
// of the thread that uses the connection; inner ones must end before outer ones. It keeps the
// pooled connection, so moving or closing the Connection does not strand it.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  void commit();
  void rollback();
  bool active() const noexcept { return active_; }
  bool is_savepoint() const noexcept { return level_ > 1; }

 private:
  friend class Connection;
  Transaction(Connection& connection, bool immediate);
  void finish(bool commit);
  static void commit_or_roll_back(driver::Connection& conn);

  std::shared_ptr<detail::PooledConnection> conn_;
  int level_;
  bool active_ = true;
};

}  // namespace strata
