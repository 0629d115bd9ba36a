// SQLite's batch: the statements in turn, all or nothing. There is no server to wait for, so
// there is no round trip to save; a batch still saves the engine's per-call work.
#include "../all_or_nothing.hpp"
#include "../batch_in_turn.hpp"
#include "sqlite_driver.hpp"

namespace strata::driver::sqlite {

// Under a savepoint SQLite copies each page the batch changes into the statement journal,
// which spills to a temporary file past 64 KiB: a caller that rolls the transaction back
// itself is spared it.
std::vector<std::int64_t> SqliteConnection::execute_batch(std::span<const BatchStep> steps,
                                                          const BatchVisitor& visit,
                                                          BatchUndo undo) {
  const std::string_view savepoint = undo == BatchUndo::batch ? "strata_batch" : "";
  return all_or_nothing(*this, savepoint, [&] { return run_in_turn(steps, visit); });
}

}  // namespace strata::driver::sqlite
