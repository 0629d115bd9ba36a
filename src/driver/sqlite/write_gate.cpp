#include "write_gate.hpp"

#include <filesystem>
#include <map>

namespace strata::driver::sqlite {
namespace {

// The gates of the process, by canonical path: a gate lives as long as a connection uses it.
struct Gates {
  strata::detail::Mutex mutex;
  std::map<std::string, std::weak_ptr<WriteGate>> by_path STRATA_GUARDED_BY(mutex);
};

}  // namespace

std::shared_ptr<WriteGate> WriteGate::of(const std::string& path) {
  static Gates gates;
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) key = path;
  strata::detail::MutexLock lock(gates.mutex);
  std::weak_ptr<WriteGate>& slot = gates.by_path[key];
  if (auto gate = slot.lock()) return gate;
  std::erase_if(gates.by_path, [](const auto& entry) { return entry.second.expired(); });
  auto gate = std::make_shared<WriteGate>();
  gates.by_path[key] = gate;
  return gate;
}

bool WriteGate::enter(std::chrono::steady_clock::time_point deadline) {
  strata::detail::MutexLock lock(mutex_);
  if (!held_ && waiters_.empty()) {
    held_ = true;
    return true;
  }
  return waiters_.wait(lock, deadline).has_value();
}

// The gate passes straight to the next waiter, so no newcomer can slip in between.
void WriteGate::leave() {
  strata::detail::MutexLock lock(mutex_);
  if (waiters_.empty()) {
    held_ = false;
    return;
  }
  waiters_.serve(true);
}

std::size_t WriteGate::waiting() {
  strata::detail::MutexLock lock(mutex_);
  return waiters_.size();
}

}  // namespace strata::driver::sqlite
