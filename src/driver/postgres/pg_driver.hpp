// The PostgreSQL driver: strata::driver interfaces over libpq. Private to src/.
// Parameters go as text (bytea as binary) and results come back as text, which libpq parses
// at no cost to us and which keeps numerics exact.
#pragma once

#include <string>
#include <vector>

#include "libpq.hpp"
#include "strata/core/error.hpp"
#include "strata/driver/driver.hpp"

namespace strata::driver::postgres {

// Throws the DatabaseError subclass matching the SQLSTATE of `result` (or the connection's
// error when there is no result).
[[noreturn]] void throw_error(PGconn* conn, const PGresult* result, std::string_view statement,
                              const std::string& url);

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { libpq().PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// A statement and its last result. An unnamed one (uncached, or behind a transaction pooler) is
// always sent with its text; a named one is sent with its text the first time and prepared under
// its name when it runs again.
// Owned by the engine's statement cache or a Result; used by the thread holding the connection.
class PgStatement final : public Statement {
 public:
  PgStatement(PGconn* conn, std::string name, std::string sql, const std::string& url,
              std::uint64_t& round_trips);
  ~PgStatement() override = default;
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;

  void execute(std::span<const ValueRef> params) override;
  bool has_row() const noexcept override { return row_ < rows_; }
  bool advance() override { return ++row_ < rows_; }
  void reset() noexcept override;
  std::int64_t rows_affected() const noexcept override { return changes_; }
  // libpq holds the whole result before the first row is read (strata does not use
  // single-row mode), so the count is known.
  std::optional<std::int64_t> row_count() const noexcept override {
    return result_ ? std::optional<std::int64_t>(rows_) : std::nullopt;
  }
  int column_count() const noexcept override { return columns_; }
  std::string_view column_name(int column) const override;
  ValueKind column_kind(int column) const override;
  bool is_null(int column) const override;
  std::int64_t get_int(int column) const override;
  double get_double(int column) const override;
  bool get_bool(int column) const override;
  std::string_view get_text(int column) const override;
  Blob get_blob(int column) const override;
  const std::string& sql() const noexcept override { return sql_; }
  const std::string& name() const noexcept { return name_; }
  // Whether the server holds the statement under name(), to be deallocated.
  bool prepared() const noexcept { return prepared_; }

  // Pipeline mode (pg_batch.cpp). A named statement is prepared in the pipeline that first
  // runs it: there preparing costs no round trip of its own.
  // Sends PQsendPrepare when the statement is named and not prepared; false when not needed.
  bool queue_prepare();
  // The server answered the prepare queue_prepare() sent.
  void mark_prepared() noexcept { prepared_ = ran_ = true; }
  // Binds and sends one execution, by name when queue_prepare() was called. Throws
  // OperationalError when libpq cannot send (a lost connection).
  void queue_execute(std::span<const ValueRef> params);
  // Makes `result`, a successful execution's, the cursor's.
  void accept(ResultPtr result) noexcept;
  // Throws the DataError bind() would for values PostgreSQL cannot take, before anything is
  // sent.
  void check(std::span<const ValueRef> params) const;

 private:
  void bind(std::span<const ValueRef> params);
  PGresult* send(int n);
  [[noreturn]] void bad_value(int column, std::string_view wanted) const;
  bool is_bool(int column) const;
  [[noreturn]] void nul_in_text() const;

  PGconn* conn_;
  std::string name_;  // empty: never prepared, always sent with PQexecParams
  bool ran_ = false;
  bool prepared_ = false;
  std::string sql_;
  const std::string& url_;
  std::uint64_t& round_trips_;  // the connection's
  ResultPtr result_;
  int row_ = 0;
  int rows_ = 0;
  int columns_ = 0;
  // Which of the first 64 columns are bool, looked up once per result on the first read that
  // asks: get_int asks for every value.
  mutable std::uint64_t bools_ = 0;
  mutable bool typed_ = false;
  std::int64_t changes_ = 0;
  // Reused between executions, so that binding allocates nothing in steady state.
  std::string buffer_;
  std::vector<std::size_t> offsets_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// One libpq connection. Owned by the pool, lent to one thread at a time.
class PgConnection final : public Connection {
 public:
  explicit PgConnection(const Url& url);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  std::unique_ptr<Statement> prepare(const std::string& sql, bool cached) override;
  void drop(std::unique_ptr<Statement> statement) noexcept override;
  void execute_script(std::string_view sql) override;
  void begin(bool /*immediate*/) override { execute_script("BEGIN"); }
  void commit() override { execute_script("COMMIT"); }
  void rollback() override;
  void savepoint(std::string_view name) override;
  void release(std::string_view name) override;
  void rollback_to(std::string_view name) override;
  TransactionStatus transaction_status() const noexcept override;
  bool alive(bool round_trip) noexcept override;
  char placeholder_prefix() const noexcept override { return '$'; }
  bool outdated_statement(const DatabaseError& error) const noexcept override {
    return error.sqlstate() == "0A000";
  }
  Backend backend() const noexcept override { return Backend::postgresql; }
  std::vector<std::int64_t> execute_batch(std::span<const BatchStep> steps,
                                          const BatchVisitor& visit, BatchUndo undo) override;
  std::optional<std::int64_t> copy_in(std::string_view table, std::span<const std::string> columns,
                                      const CopyRowSource& next) override;
  std::uint64_t round_trips() const noexcept override { return round_trips_; }

 private:
  void start_copy(const std::string& sql);
  void send_copy_data(std::string& data, const std::string& sql);
  std::int64_t finish_copy(const char* abort_reason, const std::string& sql);
  struct Pending;
  std::vector<Pending> queue(std::span<const BatchStep> steps);
  std::vector<ResultPtr> collect(std::span<const BatchStep> steps,
                                 const std::vector<Pending>& pending,
                                 std::vector<std::int64_t>& affected, bool keep);
  void deallocate_pending() noexcept;
  void check_date_style();

  PGconn* conn_ = nullptr;
  std::string url_;        // masked, for messages
  bool named_statements_;  // false behind a transaction pooler (Url::pooled)
  unsigned next_statement_ = 0;
  std::string undeallocated_;  // DEALLOCATE statements waiting for an aborted transaction's end
  std::uint64_t round_trips_ = 0;
};

// Appends the text form of `p` as a parameter takes it (raw bytes for a blob); returns libpq's
// format code (1 for binary). Text holding NUL is refused with DataError naming `sql`.
int append_parameter(std::string& out, const ValueRef& p, const std::string& sql,
                     const std::string& url);

// Rows a write changed according to `result`'s command tag; 0 for a query.
std::int64_t rows_changed(const PGresult* result) noexcept;

// Checks the URL's PostgreSQL parameters without connecting.
void validate(const Url& url);

}  // namespace strata::driver::postgres
