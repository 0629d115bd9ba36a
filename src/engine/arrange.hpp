// What Connection::execute and a batch do alike before preparing a statement: its SQL rendered
// for the backend, and its values in placeholder order. Private to src/engine.
#pragma once

#include <span>
#include <vector>

#include "placeholders.hpp"
#include "pooled_connection.hpp"
#include "strata/engine/connection.hpp"

namespace strata::detail {

// arrange() for named parameters, and for any call that does not fit, which it reports.
std::span<const ValueRef> arrange_slow(const CachedStatement& entry,
                                       std::span<const ValueRef> params,
                                       std::span<const NamedParam> named,
                                       std::vector<ValueRef>& scratch);

// `params` as given, or `named` looked up by name, checked against the placeholders of
// `entry`. A call that does not fit is a UsageError naming the statement, before anything is
// sent. May return a view of `scratch`. The common case, positional values that fit, is inline:
// every statement a loop runs passes here, and a call of its own costs the loop an instruction
// cache line beside SQLite's.
inline std::span<const ValueRef> arrange(const CachedStatement& entry,
                                         std::span<const ValueRef> params,
                                         std::span<const NamedParam> named,
                                         std::vector<ValueRef>& scratch) {
  if (entry.names.empty() && named.empty() &&
      (entry.param_count < 0 || static_cast<int>(params.size()) == entry.param_count)) {
    return params;
  }
  return arrange_slow(entry, params, named, scratch);
}

// `sql` in the backend's placeholders, with its parameters' names and count; native SQL as it
// is, counted by the driver or the server (-1).
RenderedSql render(const PooledConnection& pc, std::string_view sql, bool native);

// Runs `entry`'s statement, marking it busy for as long as its Result lives; the Result holds
// `conn`. Inline so that it adds no frame around the driver's execute (see Connection::run).
inline Result run_cached(const std::shared_ptr<PooledConnection>& conn, CachedStatement& entry,
                         std::span<const ValueRef> values) {
  entry.stmt->execute(values);
  entry.busy = true;
  return Result(conn, *entry.stmt, &entry, nullptr);
}

}  // namespace strata::detail
