// The library's side of strata's log (include/strata/core/log.hpp): cheap when the level is off.
#pragma once

#include <fmt/format.h>

#include <atomic>

#include "strata/core/log.hpp"

namespace strata::detail {

extern std::atomic<LogLevel> log_threshold;
void write_log(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (level < log_threshold.load(std::memory_order_relaxed)) return;
  write_log(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace strata::detail
