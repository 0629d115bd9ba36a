#include "write_gate.hpp"

#include <filesystem>
#include <map>

namespace strata::driver::sqlite {

std::shared_ptr<WriteGate> WriteGate::of(const std::string& path) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<WriteGate>> registry;
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) key = path;
  std::lock_guard lock(registry_mutex);
  std::weak_ptr<WriteGate>& slot = registry[key];
  if (auto gate = slot.lock()) return gate;
  std::erase_if(registry, [](const auto& entry) { return entry.second.expired(); });
  auto gate = std::make_shared<WriteGate>();
  registry[key] = gate;
  return gate;
}

bool WriteGate::enter(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!held_ && waiters_.empty()) {
    held_ = true;
    return true;
  }
  return waiters_.wait(lock, deadline).has_value();
}

// The gate passes straight to the next waiter, so no newcomer can slip in between.
void WriteGate::leave() {
  std::lock_guard lock(mutex_);
  if (waiters_.empty()) {
    held_ = false;
    return;
  }
  waiters_.serve(true);
}

std::size_t WriteGate::waiting() {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace strata::driver::sqlite
