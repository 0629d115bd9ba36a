// SQLite's batch: the statements in turn, all or nothing. There is no server to wait for, so
// there is no round trip to save; a batch still saves the engine's per-call work.
#include "../all_or_nothing.hpp"
#include "../batch_in_turn.hpp"
#include "sqlite_driver.hpp"

namespace strata::driver::sqlite {

std::vector<std::int64_t> SqliteConnection::execute_batch(std::span<const BatchStep> steps,
                                                          const BatchVisitor& visit) {
  return all_or_nothing(*this, "strata_batch", [&] { return run_in_turn(steps, visit); });
}

}  // namespace strata::driver::sqlite
