// Running SQL statements on a Connection: the statement is compiled for the connection's
// backend once per statement object, and its bindparams take the values given here.
#pragma once

#include <initializer_list>
#include <span>

#include "strata/engine/connection.hpp"
#include "strata/sql/statement.hpp"

namespace strata::sql {

// Runs `statement` on `conn`. `values` give the bindparams by name; every bindparam without a
// default needs one. Throws UsageError for a missing value or a name the statement does
// not have, before anything is sent.
Result execute(Connection& conn, const Statement& statement,
               std::span<const NamedParam> values = {});
inline Result execute(Connection& conn, const Statement& statement,
                      std::initializer_list<NamedParam> values) {
  return execute(conn, statement, std::span<const NamedParam>(values.begin(), values.size()));
}

}  // namespace strata::sql
