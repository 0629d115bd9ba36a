#include "strata/engine/pool.hpp"

#include <fmt/format.h>

#include <charconv>

#include "../core/log.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace detail {
void PooledConnectionDeleter::operator()(PooledConnection* c) const noexcept {
  delete c;
}
}  // namespace detail

namespace {

// A year: bounds every duration setting well inside std::chrono's range.
constexpr double kMaxSeconds = 366.0 * 24 * 3600;

template <class T>
T number_param(const Url& url, std::string_view name, T fallback, T minimum) {
  auto text = url.param(name);
  if (!text) return fallback;
  T value{};
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || ec != std::errc{} || end != text->data() + text->size() || value < minimum) {
    throw ConfigError(
        fmt::format("bad value '{}' for '{}' in database URL '{}': expected a "
                    "number of at least {}",
                    *text, name, url.masked(), minimum));
  }
  return value;
}

}  // namespace

PoolOptions PoolOptions::from_url(const Url& url) {
  PoolOptions o;
  o.size = number_param(url, "pool_size", o.size, 1);
  o.max_overflow = number_param(url, "max_overflow", o.max_overflow, 0);
  double timeout = number_param(url, "pool_timeout", 30.0, 0.0);
  if (!(timeout <= kMaxSeconds)) {  // also false for NaN
    throw ConfigError(
        fmt::format("bad value for 'pool_timeout' in database URL '{}': expected "
                    "seconds from 0 to {}",
                    url.masked(), kMaxSeconds));
  }
  o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout * 1000));
  o.recycle = std::chrono::seconds(number_param<std::int64_t>(url, "pool_recycle", 0, 0));
  if (o.recycle.count() > static_cast<std::int64_t>(kMaxSeconds)) {
    throw ConfigError(
        fmt::format("bad value for 'pool_recycle' in database URL '{}': expected "
                    "seconds from 0 to {}",
                    url.masked(), kMaxSeconds));
  }
  o.pre_ping = url.flag("pool_pre_ping").value_or(o.pre_ping);
  o.statement_cache_size =
      number_param<std::size_t>(url, "statement_cache_size", o.statement_cache_size, 0);
  if (url.is_memory()) {
    // Every connection to ":memory:" would be a database of its own: share exactly one.
    o.size = 1;
    o.max_overflow = 0;
    o.recycle = std::chrono::seconds(0);
  }
  return o;
}

Pool::Pool(Url url, PoolOptions options) : url_(std::move(url)), options_(options) {}

Pool::~Pool() {
  dispose();
}

detail::PooledPtr Pool::open_connection() {
  auto driver_conn = driver::connect(url_);
  detail::log(LogLevel::debug, "opened a connection to {}", url_.masked());
  detail::PooledPtr pooled(
      new detail::PooledConnection(std::move(driver_conn), options_.statement_cache_size));
  detail::MutexLock lock(mutex_);
  pooled->generation = generation_;
  return pooled;
}

bool Pool::usable(detail::PooledConnection& c) noexcept {
  if (options_.recycle.count() > 0 &&
      std::chrono::steady_clock::now() - c.opened > options_.recycle) {
    return false;
  }
  return c.conn->alive(options_.pre_ping);
}

void Pool::throw_exhausted() const {
  throw OperationalError(
      fmt::format("connection pool exhausted: all {} connections (pool_size {} + max_overflow "
                  "{}) stayed checked out for {:.1f} s; return connections sooner or raise "
                  "pool_size, max_overflow or pool_timeout",
                  options_.size + options_.max_overflow, options_.size, options_.max_overflow,
                  static_cast<double>(options_.timeout.count()) / 1000.0),
      {"", "", 0, "", url_.masked()});
}

detail::PooledPtr Pool::acquire() {
  auto deadline = std::chrono::steady_clock::now() + options_.timeout;
  for (;;) {
    detail::PooledPtr c;
    {
      detail::MutexLock lock(mutex_);
      c = checkout(lock, deadline);
    }
    if (!c) {
      try {
        return open_connection();
      } catch (...) {
        give_back_slot();
        throw;
      }
    }
    if (usable(*c)) return c;
    detail::log(LogLevel::info, "replacing a dead or expired connection to {}", url_.masked());
    c.reset();
    give_back_slot();
  }
}

detail::PooledPtr Pool::checkout(detail::MutexLock& lock,
                                 std::chrono::steady_clock::time_point deadline) {
  if (waiters_.empty()) {
    if (!idle_.empty()) {
      detail::PooledPtr c = std::move(idle_.back());
      idle_.pop_back();
      ++checked_out_;
      return c;
    }
    if (open_ < options_.size + options_.max_overflow) {
      ++open_;
      ++checked_out_;
      return nullptr;
    }
  }
  auto handed = waiters_.wait(lock, deadline);
  if (!handed) throw_exhausted();
  return std::move(*handed);
}

// Handing over to a waiter leaves the counts as they are: the connection, or its slot, passes
// from one caller to the next without returning to the pool.
void Pool::free_slot() {
  if (!waiters_.empty()) {
    waiters_.serve(nullptr);
    return;
  }
  --open_;
  --checked_out_;
}

void Pool::give_back_slot() {
  detail::MutexLock lock(mutex_);
  free_slot();
}

void Pool::release(detail::PooledPtr c) noexcept {
  bool keep =
      c->conn->transaction_status() == driver::TransactionStatus::idle && c->conn->alive(false);
  detail::MutexLock lock(mutex_);
  keep = keep && c->generation == generation_;  // opened before dispose(): close it
  if (!keep) {
    free_slot();
  } else if (!waiters_.empty()) {
    waiters_.serve(std::move(c));
  } else if (static_cast<int>(idle_.size()) < options_.size) {
    --checked_out_;
    idle_.push_back(std::move(c));
  } else {
    --checked_out_;
    --open_;
  }
  lock.unlock();
  c.reset();  // a connection not kept closes outside the lock
}

void Pool::dispose() noexcept {
  std::vector<detail::PooledPtr> closing;
  {
    detail::MutexLock lock(mutex_);
    ++generation_;
    closing.swap(idle_);
    open_ -= static_cast<int>(closing.size());
  }
}

PoolStatus Pool::status() const {
  detail::MutexLock lock(mutex_);
  return {options_.size, open_, checked_out_, static_cast<int>(idle_.size()),
          static_cast<int>(waiters_.size())};
}

}  // namespace strata
