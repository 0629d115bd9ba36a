// The connection pool behind an Engine. Settings come from the URL's query or strata.toml:
// pool_size (5), max_overflow (10), pool_timeout (30 s), pool_recycle (off), pool_pre_ping
// (off), statement_cache_size (128 statements per connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "strata/core/handoff_queue.hpp"
#include "strata/core/mutex.hpp"
#include "strata/core/url.hpp"

namespace strata {

namespace detail {
struct PooledConnection;
struct PooledConnectionDeleter {
  void operator()(PooledConnection* c) const noexcept;
};
using PooledPtr = std::unique_ptr<PooledConnection, PooledConnectionDeleter>;
}  // namespace detail

struct PoolOptions {
  int size = 5;
  int max_overflow = 10;
  std::chrono::milliseconds timeout{30'000};
  std::chrono::seconds recycle{0};  // 0: connections are never recycled for age
  bool pre_ping = false;            // a round trip at checkout, beyond the free local check
  std::size_t statement_cache_size = 128;

  // Reads the pool parameters of `url`. Throws ConfigError naming a bad value.
  static PoolOptions from_url(const Url& url);
};

struct PoolStatus {
  int size = 0;         // pool_size
  int open = 0;         // connections open now, idle or checked out
  int checked_out = 0;  // connections lent to callers now
  int idle = 0;         // open and waiting in the pool
  int waiting = 0;      // threads waiting in acquire() for a connection
};

// Lends connections to threads. Thread-safe: any thread may acquire and release. Owned
// jointly by the Engine and every checked-out Connection, so it outlives both. Fair: when
// threads wait, each returned connection goes to the one that has waited longest, so that under
// load no request waits much longer than the others.
class Pool {
 public:
  Pool(Url url, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A usable connection: an idle one that passes the liveness check (replaced if it fails),
  // or a new one while fewer than size + max_overflow are open. Waits up to pool_timeout,
  // then throws OperationalError naming the pool's size and the wait.
  detail::PooledPtr acquire() STRATA_EXCLUDES(mutex_);
  // Takes a connection back: kept when healthy and the pool is not over its size, else closed.
  void release(detail::PooledPtr connection) noexcept STRATA_EXCLUDES(mutex_);
  // Closes the idle connections; checked-out ones close when they come back (before fork(), or
  // at shutdown). An in-memory SQLite database lives in its one connection and is lost.
  void dispose() noexcept STRATA_EXCLUDES(mutex_);

  PoolStatus status() const STRATA_EXCLUDES(mutex_);
  const Url& url() const noexcept { return url_; }
  const PoolOptions& options() const noexcept { return options_; }

 private:
  // An idle connection, or nullptr for a slot reserved to open a new one; waits in line behind
  // earlier callers when neither is free.
  detail::PooledPtr checkout(detail::MutexLock& lock,
                             std::chrono::steady_clock::time_point deadline)
      STRATA_REQUIRES(mutex_);
  // A checked-out connection was closed; its slot goes to a waiter, if any.
  void free_slot() STRATA_REQUIRES(mutex_);
  void give_back_slot() STRATA_EXCLUDES(mutex_);
  detail::PooledPtr open_connection() STRATA_EXCLUDES(mutex_);
  bool usable(detail::PooledConnection& connection) noexcept;
  [[noreturn]] void throw_exhausted() const;

  const Url url_;
  const PoolOptions options_;
  mutable detail::Mutex mutex_;
  std::vector<detail::PooledPtr> idle_ STRATA_GUARDED_BY(mutex_);
  // Threads in acquire(): each is handed a connection, or a free slot (nullptr) to open one in.
  detail::HandoffQueue<detail::PooledPtr> waiters_ STRATA_GUARDED_BY(mutex_);
  int open_ STRATA_GUARDED_BY(mutex_) = 0;
  int checked_out_ STRATA_GUARDED_BY(mutex_) = 0;
  std::uint64_t generation_ STRATA_GUARDED_BY(mutex_) = 0;  // raised by dispose()
};

}  // namespace strata
