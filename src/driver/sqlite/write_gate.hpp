// Writers of one SQLite file within this process, served in arrival order. SQLite's busy
// handler sleeps and retries (up to 100 ms a sleep), so under contention a waiting writer can
// lose the lock to newcomers again and again, and a few writes wait very long. Connections of
// this process first queue here, then take SQLite's lock, which still decides between
// processes. Thread-safe; shared by every connection to the file.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "strata/core/handoff_queue.hpp"
#include "strata/core/mutex.hpp"

namespace strata::driver::sqlite {

class WriteGate {
 public:
  // The gate of the database file at `path` (one per file in the process).
  static std::shared_ptr<WriteGate> of(const std::string& path);

  // Waits for this caller's turn until `deadline`; false when it did not come in time (the
  // caller then goes on to SQLite's own lock, as without the gate).
  bool enter(std::chrono::steady_clock::time_point deadline) STRATA_EXCLUDES(mutex_);
  void leave() STRATA_EXCLUDES(mutex_);
  // Callers waiting in enter() now.
  std::size_t waiting() STRATA_EXCLUDES(mutex_);

 private:
  strata::detail::Mutex mutex_;
  bool held_ STRATA_GUARDED_BY(mutex_) = false;
  // Handed `true`: your turn.
  strata::detail::HandoffQueue<bool> waiters_ STRATA_GUARDED_BY(mutex_);
};

}  // namespace strata::driver::sqlite
