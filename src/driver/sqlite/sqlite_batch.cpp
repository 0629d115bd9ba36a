// SQLite's batch: the statements in turn, all or nothing. There is no server to wait for, so
// there is no round trip to save; a batch still saves the engine's per-call work.
#include "../batch_in_turn.hpp"
#include "sqlite_driver.hpp"

namespace strata::driver::sqlite {
namespace {
constexpr std::string_view kSavepoint = "strata_batch";
}  // namespace

// Outside a transaction the batch is one, begun IMMEDIATE as a writer's should be; inside
// one, a savepoint lets a failing step undo the steps before it.
std::vector<std::int64_t> SqliteConnection::execute_batch(std::span<const BatchStep> steps,
                                                          const BatchVisitor& visit) {
  const bool own = transaction_status() == TransactionStatus::idle;
  if (own) {
    begin(true);
  } else {
    savepoint(kSavepoint);
  }
  try {
    auto affected = run_in_turn(steps, visit);
    if (own) {
      commit();
    } else {
      release(kSavepoint);
    }
    return affected;
  } catch (...) {
    undo_batch(own);
    throw;
  }
}

// The step's error is the one to report; a failure to undo (SQLite may have rolled the
// transaction back itself) adds nothing to it.
void SqliteConnection::undo_batch(bool own) noexcept {
  try {
    if (transaction_status() == TransactionStatus::idle) return;
    if (own) {
      rollback();
    } else {
      rollback_to(kSavepoint);
      release(kSavepoint);
    }
  } catch (...) {  // NOLINT(bugprone-empty-catch): see above
  }
}

}  // namespace strata::driver::sqlite
