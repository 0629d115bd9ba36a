// Work that must apply whole or not at all, on a backend that runs it statement by statement:
// a batch without a pipeline, rows copied without a bulk protocol. Private to strata's sources.
#pragma once

#include <string_view>

#include "strata/driver/driver.hpp"

namespace strata::driver {

// Runs `body` in a transaction of its own, begun IMMEDIATE as a writer's should be (SQLite),
// when none is open; inside one, under the savepoint `savepoint`, so that a failure undoes
// `body` alone, or, with no savepoint named, as it is: the caller's rollback undoes it.
// `body`'s error is the one that propagates: a failure to undo (the database may have rolled
// back itself) adds nothing to it.
template <class Body>
auto all_or_nothing(Connection& conn, std::string_view savepoint, Body&& body) {
  const bool own = conn.transaction_status() == TransactionStatus::idle;
  if (!own && savepoint.empty()) return body();
  own ? conn.begin(true) : conn.savepoint(savepoint);
  try {
    auto result = body();
    own ? conn.commit() : conn.release(savepoint);
    return result;
  } catch (...) {
    try {
      if (conn.transaction_status() != TransactionStatus::idle) {
        own ? conn.rollback() : (conn.rollback_to(savepoint), conn.release(savepoint));
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): see above
    }
    throw;
  }
}

}  // namespace strata::driver
