// A batch run one statement after another, for a backend without a pipeline (SQLite, or libpq
// before 14). Private to src/driver.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "strata/driver/driver.hpp"

namespace strata::driver {

// Runs `steps` in order, visiting each after it ran; the first error propagates. Making the
// batch all or nothing is the caller's part.
inline std::vector<std::int64_t> run_in_turn(std::span<const Connection::BatchStep> steps,
                                             const Connection::BatchVisitor& visit) {
  std::vector<std::int64_t> affected;
  affected.reserve(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Statement& stmt = *steps[i].statement;
    // Reset even when the visitor throws: a SQLite statement left stepping holds its lock.
    struct Reset {
      Statement& stmt;
      ~Reset() { stmt.reset(); }
    } reset{stmt};
    stmt.execute(steps[i].params);
    if (visit) visit(i, stmt);
    // Run to its end: SQLite counts the rows of an INSERT ... RETURNING only there.
    for (bool more = stmt.has_row(); more;) more = stmt.advance();
    affected.push_back(stmt.rows_affected());
  }
  return affected;
}

}  // namespace strata::driver
