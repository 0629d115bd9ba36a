// The seam between the engine and a database's C API. Each backend (src/driver/sqlite,
// src/driver/postgres) implements these two interfaces; nothing above them includes sqlite3.h
// or libpq-fe.h. SQL reaching a driver already uses the backend's placeholders (?N or $N).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/url.hpp"
#include "strata/core/value.hpp"

namespace strata {
class DatabaseError;

// What a batch that fails inside an open transaction takes back. `batch`: on SQLite the batch
// alone, under a savepoint taken before it, and the transaction goes on; PostgreSQL fails the
// transaction whatever this says. `transaction`: for a caller that rolls the whole transaction
// back after any error, as the ORM's flush does: SQLite then takes no savepoint, which spares
// it copying each page the batch changes into its statement journal (a temporary file past
// 64 KiB; some 2.5 ms of a 20,000-row update). Outside a transaction the two are the same: the
// batch is a transaction of its own.
enum class BatchUndo { batch, transaction };
}  // namespace strata

namespace strata::driver {

// A prepared statement and, after execute(), its cursor. Owned by the connection's statement
// cache or by a Result; used by one thread at a time.
class Statement {
 public:
  virtual ~Statement() = default;

  // Binds `params` to placeholders 1..N and runs the statement. Afterwards the cursor stands on
  // the first row, if there is one. Throws DatabaseError.
  virtual void execute(std::span<const ValueRef> params) = 0;
  virtual bool has_row() const noexcept = 0;
  // Moves to the next row; false at the end.
  virtual bool advance() = 0;
  // Ends the current execution and frees its rows; the statement can run again.
  virtual void reset() noexcept = 0;
  // Rows inserted, updated or deleted by the last execution.
  virtual std::int64_t rows_affected() const noexcept = 0;
  // How many rows the last execution returned, where the driver holds them all before the
  // first is read (PostgreSQL); nullopt where rows are produced as the cursor moves (SQLite).
  virtual std::optional<std::int64_t> row_count() const noexcept { return std::nullopt; }

  virtual int column_count() const noexcept = 0;
  virtual std::string_view column_name(int column) const = 0;
  // The kind of the current row's value (SQLite), or of the column's type (PostgreSQL).
  virtual ValueKind column_kind(int column) const = 0;
  virtual bool is_null(int column) const = 0;
  // Whether get_int, get_double, get_bool and get_text of a NULL give 0, 0.0, false and "":
  // then a reader asks is_null() only when it got such a value (saves a call a value).
  bool null_reads_empty() const noexcept { return null_reads_empty_; }
  virtual std::int64_t get_int(int column) const = 0;
  virtual double get_double(int column) const = 0;
  virtual bool get_bool(int column) const = 0;
  // Valid until the cursor moves.
  virtual std::string_view get_text(int column) const = 0;
  virtual Blob get_blob(int column) const = 0;

  virtual const std::string& sql() const noexcept = 0;

 protected:
  bool null_reads_empty_ = false;
};

enum class TransactionStatus { idle, active, failed };

// One open connection to a database. Owned by the pool; used by one thread at a time.
class Connection {
 public:
  virtual ~Connection() = default;

  // `cached` statements live as long as the connection (SQLite persistent statements,
  // PostgreSQL named prepared statements); others are dropped with the returned object.
  virtual std::unique_ptr<Statement> prepare(const std::string& sql, bool cached) = 0;
  // Frees a cached statement's server-side state before the connection's end (a statement
  // merely destroyed is freed with the connection).
  virtual void drop(std::unique_ptr<Statement> statement) noexcept { statement.reset(); }
  // Runs one or more statements without parameters or rows.
  virtual void execute_script(std::string_view sql) = 0;

  virtual void begin(bool immediate) = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  virtual void savepoint(std::string_view name) = 0;
  virtual void release(std::string_view name) = 0;
  virtual void rollback_to(std::string_view name) = 0;
  virtual TransactionStatus transaction_status() const noexcept = 0;

  // True while the connection can be used. A cheap local check unless `round_trip` is set,
  // which asks the server.
  virtual bool alive(bool round_trip) noexcept = 0;

  // '?' for SQLite's ?N, '$' for PostgreSQL's $N.
  virtual char placeholder_prefix() const noexcept = 0;
  // Whether `error` says a prepared statement no longer fits the schema, which another
  // connection's DDL changed since it was prepared: PostgreSQL refuses it when its result
  // columns changed (0A000); SQLite prepares it again itself, but gives up (SQLITE_SCHEMA) when
  // the schema keeps changing meanwhile. Preparing it again may then succeed.
  virtual bool outdated_statement(const DatabaseError& error) const noexcept = 0;
  virtual Backend backend() const noexcept = 0;

  // Batches ----------------------------------------------------------------------------------
  // One statement of a batch: a statement this connection prepared, and its values (which
  // must outlive the call). The same statement may appear in several steps.
  struct BatchStep {
    Statement* statement;
    std::span<const ValueRef> params;
  };
  // Called for each step, in order, with the step's statement standing on the first row it
  // returned (RETURNING), if any. A later step's failure still undoes a visited step (and
  // throws): what the visitor learned is then void.
  using BatchVisitor = std::function<void(std::size_t step, Statement& statement)>;
  // Runs `steps` in order and gives each one's rows affected. PostgreSQL sends them all in one
  // pipeline with one sync: one round trip. All or nothing: outside a transaction the batch is
  // a transaction of its own; inside one, PostgreSQL fails the transaction at the first error
  // and SQLite, as `undo` says, rolls back to a savepoint taken before the batch or leaves
  // the rollback to the caller. The first failing step throws the DatabaseError its statement
  // would throw alone, and no later step is applied. Statements that begin or end
  // transactions do not belong in a batch.
  virtual std::vector<std::int64_t> execute_batch(std::span<const BatchStep> steps,
                                                  const BatchVisitor& visit, BatchUndo undo) = 0;
  // COPY -------------------------------------------------------------------------------------
  // Fills `row` (given empty) with the next row's values, which stay valid until the next
  // call; false when there are no more rows. May throw: the copy is then undone.
  using CopyRowSource = std::function<bool(std::vector<ValueRef>& row)>;
  // Copies the rows `next` gives into `table` (quoted, perhaps schema-qualified), in its
  // `columns` (quoted, in order), through a bulk protocol of the backend's own (PostgreSQL's
  // COPY): all of them or none. Gives the number of rows copied, or nullopt without reading
  // `next` when the backend has no such protocol (the engine then inserts the rows with a
  // prepared statement). The engine has checked each row's number of values. Throws
  // DatabaseError.
  virtual std::optional<std::int64_t> copy_in(std::string_view /*table*/,
                                              std::span<const std::string> /*columns*/,
                                              const CopyRowSource& /*next*/) {
    return std::nullopt;
  }

  // How many times this connection has waited for its server since it opened: each statement
  // sent alone, each prepare, each batch (PostgreSQL). SQLite has no server and counts 0.
  // For tests and diagnostics.
  virtual std::uint64_t round_trips() const noexcept = 0;
};

// Opens a connection for `url` (which the caller has validated). Throws OperationalError or
// ConfigError naming the masked URL or the file.
std::unique_ptr<Connection> connect(const Url& url);
// Loads the client library of `url`'s backend unless it is loaded: libpq, which takes
// milliseconds; SQLite is linked. Throws OperationalError as connect does when it is missing.
void load(const Url& url);
// Checks the URL's driver parameters without connecting. Throws ConfigError.
void validate(const Url& url);

}  // namespace strata::driver
