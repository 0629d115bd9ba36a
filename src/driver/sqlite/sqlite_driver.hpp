// The SQLite driver: strata::driver interfaces over the sqlite3 C API. Private to src/.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <string>

#include "strata/core/error.hpp"
#include "strata/driver/driver.hpp"
#include "write_gate.hpp"

namespace strata::driver::sqlite {

// Settings taken from the URL's query, validated before any file is touched.
struct Options {
  std::string path;  // ":memory:" for an in-memory database
  int busy_timeout_ms = 5000;
  bool foreign_keys = true;
  std::string journal_mode;  // empty: WAL for files, the default for memory
  std::string synchronous;   // empty: NORMAL with WAL
  // mode=rwc (the default) creates a missing file and its folder; mode=rw opens an existing file
  // only, as SQLite's URI parameter of that name does.
  bool create = true;
};

Options parse_options(const Url& url);

// Throws the DatabaseError subclass matching SQLite's extended result code `rc`.
[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view statement,
                              const std::string& url);
[[noreturn]] void throw_error(int rc, std::string message, std::string_view statement,
                              const std::string& url);

// A prepared statement. Owned by the engine's statement cache or a Result; used by the thread
// that holds its connection.
class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql, const std::string& url);
  ~SqliteStatement() override;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void execute(std::span<const ValueRef> params) override;
  bool has_row() const noexcept override { return has_row_; }
  bool advance() override;
  void reset() noexcept override;
  std::int64_t rows_affected() const noexcept override { return changes_; }
  // Asked each time: SQLite re-prepares a statement after a schema change, which may change
  // its columns (SELECT * after ALTER TABLE).
  int column_count() const noexcept override { return sqlite3_column_count(stmt_); }
  std::string_view column_name(int column) const override;
  ValueKind column_kind(int column) const override;
  bool is_null(int column) const override;
  std::int64_t get_int(int column) const override;
  double get_double(int column) const override;
  bool get_bool(int column) const override;
  std::string_view get_text(int column) const override;
  Blob get_blob(int column) const override;
  const std::string& sql() const noexcept override { return sql_; }

 private:
  void bind(std::span<const ValueRef> params);
  bool step();
  [[noreturn]] void failed(int rc);  // after a step that gave neither a row nor DONE
  void rewind() noexcept;            // sqlite3_reset, noted

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
  const std::string& url_;
  int param_count_;  // fixed by the SQL text, so kept across SQLite's own re-prepares
  // Whether it yields rows: a re-prepare after a schema change may change how many columns,
  // never whether there are any.
  bool returns_rows_;
  bool has_row_ = false;
  bool at_start_ = true;  // reset since it last stepped
  std::int64_t changes_ = 0;
  std::int64_t changes_before_ = 0;
};

// One sqlite3 handle, opened without SQLite's own mutex: the pool lends it to one thread at a
// time. Owned by the pool.
class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const Url& url, const Options& options);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  std::unique_ptr<Statement> prepare(const std::string& sql, bool cached) override;
  void execute_script(std::string_view sql) override;
  void begin(bool immediate) override;
  void commit() override;
  void rollback() override;
  void savepoint(std::string_view name) override;
  void release(std::string_view name) override;
  void rollback_to(std::string_view name) override;
  TransactionStatus transaction_status() const noexcept override;
  bool alive(bool /*round_trip*/) noexcept override { return db_ != nullptr; }
  char placeholder_prefix() const noexcept override { return '?'; }
  bool outdated_statement(const DatabaseError& error) const noexcept override {
    return error.code() == "SQLITE_SCHEMA";
  }
  Backend backend() const noexcept override { return Backend::sqlite; }
  // sqlite_batch.cpp
  std::vector<std::int64_t> execute_batch(std::span<const BatchStep> steps,
                                          const BatchVisitor& visit, BatchUndo undo) override;
  std::uint64_t round_trips() const noexcept override { return 0; }

 private:
  void configure(const Options& options);
  // Lets the next writer of this process in once this connection's transaction is over.
  void leave_gate_if_ended() noexcept;
  struct GateGuard {
    SqliteConnection& connection;
    ~GateGuard() { connection.leave_gate_if_ended(); }
  };

  sqlite3* db_ = nullptr;
  std::string url_;  // masked, for messages
  std::chrono::milliseconds busy_timeout_;
  std::shared_ptr<WriteGate> gate_;  // null for an in-memory database
  bool in_gate_ = false;             // from BEGIN IMMEDIATE to the transaction's end
};

}  // namespace strata::driver::sqlite
