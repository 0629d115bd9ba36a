// strata's lock types: std::mutex, std::unique_lock and std::condition_variable with Clang's
// thread-safety attributes (thread_annotations.hpp), so that the analysis checks every member
// declared STRATA_GUARDED_BY one of them. Same cost as the standard types they wrap. A Mutex is
// taken only through a MutexLock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "strata/core/thread_annotations.hpp"

namespace strata::detail {

class STRATA_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

 private:
  friend class MutexLock;
  std::mutex mutex_;
};

// Holds a Mutex from construction to destruction, or until unlock() lets go of it early (the
// analysis follows both).
class STRATA_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) STRATA_ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~MutexLock() STRATA_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() STRATA_RELEASE() { lock_.unlock(); }

 private:
  friend class CondVar;
  std::unique_lock<std::mutex> lock_;
};

// A condition variable waited on under a MutexLock: the wait lets go of the mutex and holds it
// again when it returns, so that for the analysis the lock is held throughout.
class CondVar {
 public:
  std::cv_status wait_until(MutexLock& lock, std::chrono::steady_clock::time_point deadline) {
    return ready_.wait_until(lock.lock_, deadline);
  }
  void notify_one() noexcept { ready_.notify_one(); }

 private:
  std::condition_variable ready_;
};

}  // namespace strata::detail
