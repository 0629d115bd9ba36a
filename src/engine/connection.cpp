#include "strata/engine/connection.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "../core/backend_spec.hpp"
#include "../core/log.hpp"
#include "../core/usage_error.hpp"
#include "arrange.hpp"
#include "placeholders.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace detail {

// The values in placeholder order: `params` as given, or `named` looked up by name. A call that
// does not fit the placeholders is refused before anything is sent.
std::span<const ValueRef> arrange_slow(const detail::CachedStatement& entry,
                                       std::span<const ValueRef> params,
                                       std::span<const NamedParam> named,
                                       std::vector<ValueRef>& scratch) {
  if (entry.names.empty()) {
    if (!named.empty()) {
      throw detail::usage_error(
          "named parameters given to a statement with positional (?) placeholders", entry.key);
    }
    if (entry.param_count >= 0 && static_cast<int>(params.size()) != entry.param_count) {
      throw detail::usage_error(
          fmt::format("statement takes {} parameters, {} given", entry.param_count, params.size()),
          entry.key);
    }
    return params;
  }
  if (!params.empty() || named.size() != entry.names.size()) {
    throw detail::usage_error(
        fmt::format("statement takes the named parameters :{}, {} given",
                    fmt::join(entry.names, ", :"), params.size() + named.size()),
        entry.key);
  }
  scratch.clear();
  for (const auto& name : entry.names) {
    auto it = std::find_if(named.begin(), named.end(),
                           [&](const NamedParam& p) { return p.name == name; });
    if (it == named.end())
      throw detail::usage_error(fmt::format("no value for :{}", name), entry.key);
    scratch.push_back(it->value);
  }
  return scratch;
}

RenderedSql render(const PooledConnection& pc, std::string_view sql, bool native) {
  return native ? detail::RenderedSql{std::string(sql), {}, -1}
                : detail::render_placeholders(sql, pc.conn->placeholder_prefix(),
                                              *detail::backend_spec(pc.conn->backend()).syntax);
}

}  // namespace detail

namespace {

// Gives a connection back to its pool once the Connection and every Result and Transaction
// that use it are gone, rolling back a transaction left open.
struct ReturnToPool {
  std::shared_ptr<Pool> pool;
  void operator()(detail::PooledConnection* c) const noexcept {
    detail::PooledPtr owned(c);
    // A connection the server ended has no transaction left to roll back; the pool drops it.
    if (c->conn->transaction_status() != driver::TransactionStatus::idle && c->conn->alive(false)) {
      try {
        c->conn->rollback();
      } catch (const std::exception& e) {
        detail::log(LogLevel::warn, "rollback on return to the pool failed: {}", e.what());
      }
    }
    c->depth = 0;
    pool->release(std::move(owned));
  }
};

}  // namespace

Connection::Connection(std::shared_ptr<Pool> pool, detail::PooledPtr connection)
    : pool_(pool), conn_(connection.release(), ReturnToPool{std::move(pool)}) {}

Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

void Connection::close() noexcept {
  conn_.reset();
}

detail::PooledConnection& Connection::checked() const {
  if (!conn_) {
    throw UsageError(
        "the connection was closed or moved from; take a new one with engine.connect()");
  }
  return *conn_;
}

// A statement in the cache runs inline in each execute(): every frame on the stack while
// sqlite3_step makes its system calls mispredicts its return afterwards where the kernel
// refills the CPU's return stack on entry (page-table isolation, VMs; docs/architecture.md).
[[gnu::always_inline]] inline Result Connection::run(std::string_view sql,
                                                     std::span<const ValueRef> params,
                                                     std::span<const NamedParam> named,
                                                     bool native) {
  auto& pc = checked();
  detail::CachedStatement* entry = pc.cache.find(sql);
  if (!entry || entry->busy || entry->native != native) {
    return run_fresh(sql, params, named, native, !entry);
  }
  // A statement prepared before another connection's DDL (driver::outdated_statement) can be
  // prepared again here, outside a transaction.
  try {
    std::vector<ValueRef> scratch;
    return detail::run_cached(conn_, *entry, detail::arrange(*entry, params, named, scratch));
  } catch (const DatabaseError& e) {
    if (!pc.conn->outdated_statement(e) || in_transaction()) throw;
    pc.cache.erase(sql, *pc.conn);
  }
  return run_fresh(sql, params, named, native, true);
}

// Prepares `sql`, keeping it in the cache when `cache` is true and the cache has room.
Result Connection::run_fresh(std::string_view sql, std::span<const ValueRef> params,
                             std::span<const NamedParam> named, bool native, bool cache) {
  auto& pc = *conn_;
  // Rendered and checked before preparing, so that a wrong call costs no round trip. Native
  // SQL is counted by the driver (SQLite) or the server (PostgreSQL).
  auto rendered = detail::render(pc, sql, native);
  detail::CachedStatement fresh{std::string(sql),     nullptr, std::move(rendered.names),
                                rendered.param_count, false,   native};
  std::vector<ValueRef> scratch;
  auto values = detail::arrange(fresh, params, named, scratch);
  cache = cache && pc.cache.capacity() > 0;
  fresh.stmt = pc.conn->prepare(rendered.sql, cache);
  if (!cache) {
    fresh.stmt->execute(values);
    auto& stmt = *fresh.stmt;
    return Result(conn_, stmt, nullptr, std::move(fresh.stmt));
  }
  return detail::run_cached(conn_, pc.cache.insert(std::move(fresh), *pc.conn), values);
}

Result Connection::execute(std::string_view sql, std::span<const ValueRef> params) {
  return run(sql, params, {}, false);
}

Result Connection::execute_native(std::string_view sql, std::span<const ValueRef> params) {
  return run(sql, params, {}, true);
}

Result Connection::execute(std::string_view sql, const std::vector<Value>& params) {
  std::vector<ValueRef> refs(params.begin(), params.end());
  return run(sql, refs, {}, false);
}

Result Connection::execute(std::string_view sql, std::span<const NamedParam> params) {
  return run(sql, {}, params, false);
}

void Connection::execute_script(std::string_view sql) {
  checked().conn->execute_script(sql);
}

Transaction Connection::begin() {
  return Transaction(*this, false);
}
Transaction Connection::begin_immediate() {
  return Transaction(*this, true);
}

bool Connection::in_transaction() const noexcept {
  return conn_ && conn_->conn->transaction_status() != driver::TransactionStatus::idle;
}

Backend Connection::backend() const noexcept {
  return pool_->url().backend();
}

std::string Connection::url() const {
  return pool_->url().masked();
}

// Transactions ----------------------------------------------------------------------------

namespace {
std::string savepoint_name(int level) {
  return fmt::format("strata_sp{}", level);
}
}  // namespace

Transaction::Transaction(Connection& connection, bool immediate)
    : conn_((connection.checked(), connection.conn_)) {
  auto& pc = *conn_;
  level_ = pc.depth + 1;
  if (level_ == 1) {
    if (pc.conn->transaction_status() != driver::TransactionStatus::idle) {
      throw UsageError(
          "a transaction begun with raw SQL is open on this connection; end it before "
          "connection.begin()");
    }
    pc.conn->begin(immediate);
  } else if (pc.conn->transaction_status() == driver::TransactionStatus::idle) {
    throw OperationalError(
        "the database ended the transaction (after an error); roll back the outer transaction "
        "before starting a savepoint",
        {"", "", 0, "", connection.url()});
  } else {
    pc.conn->savepoint(savepoint_name(level_));
  }
  pc.depth = level_;
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::move(other.conn_)), level_(other.level_), active_(other.active_) {
  other.active_ = false;
}

Transaction::~Transaction() {
  if (!active_ || !conn_ || conn_->depth < level_) return;
  try {
    finish(false);
  } catch (const std::exception& e) {
    detail::log(LogLevel::warn, "rollback of an abandoned transaction failed: {}", e.what());
  }
}

void Transaction::commit() {
  finish(true);
}
void Transaction::rollback() {
  finish(false);
}

void Transaction::finish(bool commit) {
  if (!active_ || !conn_) {
    throw UsageError("the transaction has already been committed or rolled back");
  }
  auto& pc = *conn_;
  if (pc.depth != level_) {
    throw UsageError("an inner transaction (savepoint) is still open: end it first");
  }
  active_ = false;
  pc.depth = level_ - 1;
  auto& conn = *pc.conn;
  auto status = conn.transaction_status();
  if (status == driver::TransactionStatus::idle) {
    // SQLite rolls a transaction back by itself after some errors (a full disk, RAISE).
    if (commit) {
      throw OperationalError(
          "the database already rolled this transaction back after an error; "
          "nothing was committed",
          {});
    }
    return;
  }
  bool failed = status == driver::TransactionStatus::failed;
  if (level_ > 1) {
    if (!commit || failed) conn.rollback_to(savepoint_name(level_));
    conn.release(savepoint_name(level_));
  } else if (!commit || failed) {
    conn.rollback();
  } else {
    commit_or_roll_back(conn);
  }
  if (commit && failed) {
    // The database (PostgreSQL) would answer COMMIT with a silent ROLLBACK: say so instead.
    throw ProgrammingError(
        "a statement in this transaction failed, so the database aborted it: it "
        "was rolled back and nothing was committed",
        {});
  }
}

void Transaction::commit_or_roll_back(driver::Connection& conn) {
  try {
    conn.commit();
  } catch (...) {
    // SQLite keeps the transaction open when COMMIT fails (busy, deferred constraint): end it,
    // so that "rolls back unless committed" holds, and report the first error.
    try {
      if (conn.transaction_status() != driver::TransactionStatus::idle) conn.rollback();
    } catch (const std::exception& e) {
      detail::log(LogLevel::warn, "rollback after a failed commit failed: {}", e.what());
    }
    throw;
  }
}

}  // namespace strata
