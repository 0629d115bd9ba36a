// A statement prepared once and run many times: Connection::prepare. It skips what
// Connection::execute does on each call before running (finding the statement in the
// connection's cache by its text), and on PostgreSQL runs as a named prepared statement.
#pragma once

#include <array>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "strata/engine/result.hpp"

namespace strata {

namespace detail {
struct PreparedState;
}

// A value for a `:name` placeholder.
struct NamedParam {
  std::string_view name;
  ValueRef value;
};

// A statement prepared on one pooled connection, with its `?` or `:name` placeholders rendered
// and counted once. Move-only; used by one thread at a time, the one using the Connection that
// prepared it. Like a Result, it holds its pooled connection (out of the pool) until it and
// every Result it gave are gone: it goes on working after that Connection is closed or moved
// from, and runs inside whatever transaction is open on the pooled connection. Executing it
// while a Result of its own is still open runs a second, unnamed statement for that call.
// A mistake in the SQL shows at prepare() on SQLite and at the first execute() on PostgreSQL.
class PreparedStatement {
 public:
  explicit PreparedStatement(std::shared_ptr<detail::PreparedState> state) noexcept;
  PreparedStatement(PreparedStatement&&) noexcept;
  PreparedStatement& operator=(PreparedStatement&&) noexcept;
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  ~PreparedStatement();

  // As Connection::execute: the values are checked against the placeholders (a wrong count or
  // a missing name is a UsageError naming the statement, before anything is sent).
  Result execute() { return execute(std::span<const ValueRef>()); }
  template <class... Args>
  requires(sizeof...(Args) > 0 && (std::is_constructible_v<ValueRef, const Args&> && ...)) Result
      execute(const Args&... args) {
    const std::array<ValueRef, sizeof...(Args)> params{ValueRef(args)...};
    return execute(std::span<const ValueRef>(params));
  }
  Result execute(std::span<const ValueRef> params) { return run(params, {}); }
  Result execute(const std::vector<Value>& params);
  Result execute(std::initializer_list<NamedParam> params) {
    return run({}, std::span<const NamedParam>(params.begin(), params.size()));
  }
  Result execute(std::span<const NamedParam> params) { return run({}, params); }

  // The SQL as it was written.
  const std::string& sql() const;

 private:
  Result run(std::span<const ValueRef> params, std::span<const NamedParam> named);
  detail::PreparedState& state() const;

  std::shared_ptr<detail::PreparedState> state_;
};

}  // namespace strata
