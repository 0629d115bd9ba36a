#include "strata/engine/connection.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "../core/log.hpp"
#include "placeholders.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace {

[[noreturn]] void throw_param_error(std::string message, std::string_view sql, const Url& url) {
  throw ProgrammingError(message, {"", "", 0, std::string(sql), url.masked()});
}

// The values in placeholder order: `params` as given, or `named` looked up by name.
std::span<const ValueRef> arrange(const detail::CachedStatement& entry,
                                  std::span<const ValueRef> params,
                                  std::span<const NamedParam> named, std::vector<ValueRef>& scratch,
                                  const Url& url) {
  if (entry.names.empty()) {
    if (!named.empty()) {
      throw_param_error("named parameters given to a statement with positional (?) placeholders",
                        entry.key, url);
    }
    if (static_cast<int>(params.size()) != entry.param_count) {
      throw_param_error(
          fmt::format("statement takes {} parameters, {} given", entry.param_count, params.size()),
          entry.key, url);
    }
    return params;
  }
  if (!params.empty() || named.size() != entry.names.size()) {
    throw_param_error(fmt::format("statement takes the named parameters :{}, {} given",
                                  fmt::join(entry.names, ", :"), params.size() + named.size()),
                      entry.key, url);
  }
  scratch.clear();
  for (const auto& name : entry.names) {
    auto it = std::find_if(named.begin(), named.end(),
                           [&](const NamedParam& p) { return p.name == name; });
    if (it == named.end()) throw_param_error(fmt::format("no value for :{}", name), entry.key, url);
    scratch.push_back(it->value);
  }
  return scratch;
}

// Runs a cached statement, marking it busy for as long as its Result lives.
Result run_cached(detail::CachedStatement& entry, std::span<const ValueRef> values) {
  entry.busy = true;
  try {
    entry.stmt->execute(values);
  } catch (...) {
    entry.busy = false;
    throw;
  }
  return Result(*entry.stmt, &entry, nullptr);
}

}  // namespace

Connection::Connection(std::shared_ptr<Pool> pool, detail::PooledPtr connection) noexcept
    : pool_(std::move(pool)), conn_(std::move(connection)) {}

Connection::Connection(Connection&&) noexcept = default;

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    pool_ = std::move(other.pool_);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Connection::~Connection() {
  close();
}

void Connection::close() noexcept {
  if (!conn_) return;
  if (conn_->conn->transaction_status() != driver::TransactionStatus::idle) {
    try {
      conn_->conn->rollback();
    } catch (const std::exception& e) {
      detail::logger().warn("rollback on return to the pool failed: {}", e.what());
    }
  }
  conn_->depth = 0;
  pool_->release(std::move(conn_));
}

detail::PooledConnection& Connection::checked() const {
  if (!conn_) {
    throw ProgrammingError(
        "the connection was closed or moved from; take a new one with "
        "engine.connect()",
        {});
  }
  return *conn_;
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

Result Connection::run(std::string_view sql, std::span<const ValueRef> params,
                       std::span<const NamedParam> named, bool native) {
  auto& pc = checked();
  std::vector<ValueRef> scratch;
  detail::CachedStatement* entry = pc.cache.find(sql);
  if (entry && !entry->busy) {
    return run_cached(*entry, arrange(*entry, params, named, scratch, pool_->url()));
  }
  // Rendered and checked before preparing, so that a wrong call costs no round trip.
  auto rendered = native
                      ? detail::RenderedSql{std::string(sql), {}, static_cast<int>(params.size())}
                      : detail::render_placeholders(sql, pc.conn->placeholder_prefix());
  detail::CachedStatement fresh{std::string(sql), nullptr, std::move(rendered.names),
                                rendered.param_count};
  auto values = arrange(fresh, params, named, scratch, pool_->url());
  bool cache = !entry && pc.cache.capacity() > 0;
  fresh.stmt = pc.conn->prepare(rendered.sql, cache);
  if (!cache) {
    fresh.stmt->execute(values);
    auto& stmt = *fresh.stmt;
    return Result(stmt, nullptr, std::move(fresh.stmt));
  }
  return run_cached(pc.cache.insert(std::move(fresh), *pc.conn), values);
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

Transaction::Transaction(Connection& connection, bool immediate) : connection_(&connection) {
  auto& pc = connection.checked();
  level_ = pc.depth + 1;
  if (level_ == 1) {
    if (pc.conn->transaction_status() != driver::TransactionStatus::idle) {
      throw ProgrammingError(
          "a transaction begun with raw SQL is open on this connection; end it before "
          "connection.begin()",
          {"", "", 0, "", connection.url()});
    }
    pc.conn->begin(immediate);
  } else {
    pc.conn->savepoint(savepoint_name(level_));
  }
  pc.depth = level_;
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(other.connection_), level_(other.level_), active_(other.active_) {
  other.active_ = false;
}

Transaction::~Transaction() {
  if (!active_ || !connection_->conn_ || connection_->conn_->depth < level_) return;
  try {
    finish(false);
  } catch (const std::exception& e) {
    detail::logger().warn("rollback of an abandoned transaction failed: {}", e.what());
  }
}

void Transaction::commit() {
  finish(true);
}
void Transaction::rollback() {
  finish(false);
}

void Transaction::finish(bool commit) {
  auto& pc = connection_->checked();
  if (!active_) {
    throw ProgrammingError("the transaction has already been committed or rolled back", {});
  }
  if (pc.depth != level_) {
    throw ProgrammingError("an inner transaction (savepoint) is still open: end it first", {});
  }
  active_ = false;
  pc.depth = level_ - 1;
  auto& conn = *pc.conn;
  if (level_ > 1) {
    if (!commit) conn.rollback_to(savepoint_name(level_));
    conn.release(savepoint_name(level_));
    return;
  }
  if (!commit) return conn.rollback();
  try {
    conn.commit();
  } catch (...) {
    // SQLite keeps the transaction open when COMMIT fails (busy, deferred constraint): end it,
    // so that "rolls back unless committed" holds.
    if (conn.transaction_status() != driver::TransactionStatus::idle) conn.rollback();
    throw;
  }
}

}  // namespace strata
