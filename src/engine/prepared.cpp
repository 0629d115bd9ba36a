// PreparedStatement and Connection::prepare. The statement is rendered and prepared once and
// kept outside the connection's statement cache, so that no eviction takes it and no lookup by
// text is paid per call.
#include "strata/engine/prepared.hpp"

#include <utility>

#include "../core/usage_error.hpp"
#include "arrange.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"
#include "strata/engine/connection.hpp"

namespace strata {
namespace detail {

// What a PreparedStatement and its Results share; the last of them to go frees the statement
// (on PostgreSQL, DEALLOCATE) and then lets go of the pooled connection.
struct PreparedState {
  std::shared_ptr<PooledConnection> conn;
  CachedStatement entry;

  ~PreparedState() {
    if (entry.stmt) conn->conn->drop(std::move(entry.stmt));
  }
};

}  // namespace detail

PreparedStatement Connection::prepare(std::string_view sql) {
  auto& pc = checked();
  auto rendered = detail::render(pc, sql, false);
  auto state = std::make_shared<detail::PreparedState>();
  state->conn = conn_;
  state->entry = {std::string(sql),     nullptr, std::move(rendered.names),
                  rendered.param_count, false,   false};
  state->entry.stmt = pc.conn->prepare(rendered.sql, true);
  return PreparedStatement(std::move(state));
}

PreparedStatement::PreparedStatement(std::shared_ptr<detail::PreparedState> state) noexcept
    : state_(std::move(state)) {}
PreparedStatement::PreparedStatement(PreparedStatement&&) noexcept = default;
PreparedStatement& PreparedStatement::operator=(PreparedStatement&&) noexcept = default;
PreparedStatement::~PreparedStatement() = default;

detail::PreparedState& PreparedStatement::state() const {
  if (!state_) throw UsageError("the prepared statement was moved from; prepare it again");
  return *state_;
}

const std::string& PreparedStatement::sql() const {
  return state().entry.key;
}

Result PreparedStatement::execute(const std::vector<Value>& params) {
  std::vector<ValueRef> refs(params.begin(), params.end());
  return run(refs, {});
}

namespace {

// The Result holds the state (and through it the pooled connection) by an aliasing pointer,
// so that the statement outlives this object if the Result does. Inline, as the cached path
// of Connection::run is, to keep frames off the stack while the statement runs.
[[gnu::always_inline]] inline Result run_held(const std::shared_ptr<detail::PreparedState>& state,
                                              std::span<const ValueRef> values) {
  return detail::run_cached(std::shared_ptr<detail::PooledConnection>(state, state->conn.get()),
                            state->entry, values);
}

}  // namespace

Result PreparedStatement::run(std::span<const ValueRef> params, std::span<const NamedParam> named) {
  auto& st = state();
  std::vector<ValueRef> scratch;
  auto values = detail::arrange(st.entry, params, named, scratch);
  auto& conn = *st.conn->conn;
  if (st.entry.busy) {
    // A Result of ours reads from the statement: this call gets one of its own.
    auto stmt = conn.prepare(st.entry.stmt->sql(), false);
    stmt->execute(values);
    auto& running = *stmt;
    return Result(st.conn, running, nullptr, std::move(stmt));
  }
  try {
    return run_held(state_, values);
  } catch (const DatabaseError& e) {
    // Another connection's DDL made the statement stale: outside a transaction, as
    // Connection::execute does, prepare it again.
    if (!conn.outdated_statement(e) || conn.transaction_status() != driver::TransactionStatus::idle)
      throw;
    // Prepared before the old one goes: if this throws (the table is gone), the statement
    // stays whole for the next call, which fails the same way.
    auto fresh = conn.prepare(st.entry.stmt->sql(), true);
    conn.drop(std::exchange(st.entry.stmt, std::move(fresh)));
    return run_held(state_, values);
  }
}

}  // namespace strata
