// Threads waiting for something another thread hands over, served in arrival order. The pool
// and SQLite's in-process writer queue use it so that a thread which gives a thing back and
// asks again at once cannot overtake the threads already waiting. Not thread-safe by itself:
// every call is made under the owner's mutex, whose lock is passed to wait(); the owner
// declares the queue STRATA_GUARDED_BY that mutex, so that Clang checks it.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "strata/core/mutex.hpp"

namespace strata::detail {

template <class T>
class HandoffQueue {
 public:
  bool empty() const noexcept { return waiters_.empty(); }
  std::size_t size() const noexcept { return waiters_.size(); }

  // Joins the end of the line and waits, releasing `lock`, until served (the value handed
  // over) or until `deadline` (nullopt, and out of the line).
  std::optional<T> wait(MutexLock& lock, std::chrono::steady_clock::time_point deadline) {
    Waiter me;
    waiters_.push_back(&me);
    while (!me.value) {
      if (me.ready.wait_until(lock, deadline) == std::cv_status::timeout && !me.value) {
        std::erase(waiters_, &me);
        return std::nullopt;
      }
    }
    return std::move(me.value);
  }

  // Hands `value` to the thread that has waited longest; the queue must not be empty. Notifies
  // under the lock, since the waiter's state lives on its stack only until it sees the value.
  void serve(T value) {
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->value.emplace(std::move(value));
    next->ready.notify_one();
  }

 private:
  struct Waiter {
    CondVar ready;
    std::optional<T> value;
  };
  std::deque<Waiter*> waiters_;
};

}  // namespace strata::detail
