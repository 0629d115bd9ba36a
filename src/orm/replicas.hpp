// The read replicas of a SessionFactory: an engine (and pool) each, whether each may serve
// reads now, and the turn. Whether a replica is fit is asked of the replica itself (reachable,
// and trailing the primary by no more than max_lag) at most once per check_interval; between
// checks the answer is reused, so that a read costs no extra round trip.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/error.hpp"
#include "strata/core/mutex.hpp"
#include "strata/engine/engine.hpp"
#include "strata/orm/session.hpp"

namespace strata::orm::detail {

// Shared by the copies of a SessionFactory and by the sessions on its replicas. Thread-safe.
class ReplicaSet {
 public:
  ReplicaSet(std::vector<Engine> engines, ReplicaOptions options);

  // The next replica in turn that is fit to serve reads, or nullopt when none is (reads go to
  // the primary). May check a replica whose last check is older than check_interval.
  std::optional<std::size_t> pick();
  const Engine& engine(std::size_t replica) const noexcept { return replicas_[replica]->engine; }
  // A read could not use `replica`: it serves none until it is checked again, check_interval
  // from now, and its idle connections (likely dead) are closed.
  void mark_down(std::size_t replica, const DatabaseError& error);

 private:
  using Clock = std::chrono::steady_clock;
  // An unchecked replica serves no reads until its first check says it may.
  enum class State { unchecked, fit, unfit };
  struct Replica {
    explicit Replica(Engine e) : engine(std::move(e)) {}
    Engine engine;
    strata::detail::Mutex mutex;
    State state STRATA_GUARDED_BY(mutex) = State::unchecked;
    bool checking STRATA_GUARDED_BY(mutex) = false;
    Clock::time_point next_check STRATA_GUARDED_BY(mutex);
  };

  bool fit(Replica& replica);
  // The replica's verdict, asked of it: nullopt when fit, else why not.
  std::optional<std::string> unfit_because(const Engine& engine) const;
  // Records a verdict until the next check, logging a change of it in one line.
  void record(Replica& replica, const std::optional<std::string>& unfit);

  std::vector<std::unique_ptr<Replica>> replicas_;
  ReplicaOptions options_;
  std::atomic<std::size_t> turn_{0};
};

}  // namespace strata::orm::detail
