// Read replicas: the SessionFactory that routes read sessions to them, and the ReplicaSet that
// knows which of them may serve reads.
#include "replicas.hpp"

#include <fmt/format.h>

#include "../core/log.hpp"
#include "session_impl.hpp"
#include "strata/dialect/dialect.hpp"

namespace strata {
namespace orm::detail {

ReplicaSet::ReplicaSet(std::vector<Engine> engines, ReplicaOptions options) : options_(options) {
  for (auto& engine : engines) replicas_.push_back(std::make_unique<Replica>(std::move(engine)));
}

std::optional<std::size_t> ReplicaSet::pick() {
  const std::size_t count = replicas_.size();
  const std::size_t first = turn_.fetch_add(1, std::memory_order_relaxed);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t replica = (first + i) % count;
    if (fit(*replicas_[replica])) return replica;
  }
  return std::nullopt;
}

bool ReplicaSet::fit(Replica& replica) {
  {
    strata::detail::MutexLock lock(replica.mutex);
    // One thread checks; the others go by the last verdict meanwhile.
    if (replica.checking || Clock::now() < replica.next_check) return replica.state == State::fit;
    replica.checking = true;
  }
  auto unfit = unfit_because(replica.engine);
  record(replica, unfit);
  return !unfit;
}

std::optional<std::string> ReplicaSet::unfit_because(const Engine& engine) const {
  try {
    auto conn = engine.connect();
    auto lag = conn.execute(Dialect::of(engine.backend()).replica_lag_sql())
                   .scalar<std::optional<double>>();
    if (!lag) return std::string("it has replayed no transaction since it started");
    if (*lag * 1000 > static_cast<double>(options_.max_lag.count())) {
      return fmt::format("it trails the primary by {:.3f} s, more than the {:.3f} s allowed", *lag,
                         static_cast<double>(options_.max_lag.count()) / 1000);
    }
    return std::nullopt;
  } catch (const Error& e) {
    return fmt::format("it cannot be reached: {}", e.what());
  }
}

void ReplicaSet::record(Replica& replica, const std::optional<std::string>& unfit) {
  State before;
  {
    strata::detail::MutexLock lock(replica.mutex);
    before = replica.state;
    replica.state = unfit ? State::unfit : State::fit;
    replica.checking = false;
    replica.next_check = Clock::now() + options_.check_interval;
  }
  auto url = replica.engine.url().masked();
  if (unfit && before != State::unfit) {
    strata::detail::log(LogLevel::warn,
                        "read replica {} serves no reads until checked again in {} ms: {}", url,
                        options_.check_interval.count(), *unfit);
  } else if (!unfit && before == State::unfit) {
    strata::detail::log(LogLevel::warn, "read replica {} serves reads again", url);
  }
}

void ReplicaSet::mark_down(std::size_t replica, const DatabaseError& error) {
  record(*replicas_[replica], fmt::format("a read failed on it: {}", error.what()));
  // Its idle connections are most likely as dead as the one that failed.
  replicas_[replica]->engine.dispose();
}

}  // namespace orm::detail

SessionFactory::SessionFactory(Engine primary, std::vector<Engine> replicas, SessionOptions options,
                               ReplicaOptions replica_options)
    : engine_(std::move(primary)), options_(options) {
  if (replicas.empty()) return;
  const Dialect& dialect = Dialect::of(engine_.backend());
  if (dialect.replica_lag_sql().empty()) {
    throw ConfigError(
        fmt::format("read replicas need a database that has them (PostgreSQL), not {}: make the "
                    "SessionFactory without replicas; read sessions then use the database itself",
                    engine_.url().masked()));
  }
  for (const auto& replica : replicas) {
    if (replica.backend() != engine_.backend()) {
      throw ConfigError(fmt::format("read replica {} is not a {} database as the primary {} is",
                                    replica.url().masked(), dialect.name(),
                                    engine_.url().masked()));
    }
  }
  if (replica_options.max_lag.count() < 0 || replica_options.check_interval.count() < 0) {
    throw ConfigError("ReplicaOptions: max_lag and check_interval must not be negative");
  }
  replicas_ = std::make_shared<orm::detail::ReplicaSet>(std::move(replicas), replica_options);
}

Session SessionFactory::read_session(ReadFrom from) const {
  using orm::detail::SessionImpl;
  if (from == ReadFrom::replica && replicas_) {
    if (auto replica = replicas_->pick()) {
      return Session(
          std::make_unique<SessionImpl>(replicas_->engine(*replica), options_, true,
                                        SessionImpl::Fallback{engine_, replicas_, *replica}));
    }
  }
  return Session(std::make_unique<SessionImpl>(engine_, options_, true));
}

}  // namespace strata
