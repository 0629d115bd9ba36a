#include "log.hpp"

#include <array>
#include <cstdio>

#include "strata/core/error.hpp"
#include "strata/core/mutex.hpp"

namespace strata {
namespace {

constexpr std::array<std::string_view, 6> kLevelNames = {"trace", "debug", "info",
                                                         "warn",  "error", "off"};
static_assert(kLevelNames.size() == static_cast<std::size_t>(LogLevel::off) + 1);

detail::Mutex sink_mutex;
LogSink sink STRATA_GUARDED_BY(sink_mutex);  // empty means stderr

void write_stderr(LogLevel level, std::string_view message) {
  auto name = kLevelNames[static_cast<std::size_t>(level)];
  std::fprintf(stderr, "strata %.*s: %.*s\n", static_cast<int>(name.size()), name.data(),
               static_cast<int>(message.size()), message.data());
}

}  // namespace

namespace detail {

std::atomic<LogLevel> log_threshold{LogLevel::warn};

void write_log(LogLevel level, std::string_view message) {
  detail::MutexLock lock(sink_mutex);
  if (sink) {
    sink(level, message);
  } else {
    write_stderr(level, message);
  }
}

}  // namespace detail

void set_log_level(LogLevel level) {
  detail::log_threshold.store(level);
}

void set_log_level(std::string_view level) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == level) return set_log_level(static_cast<LogLevel>(i));
  }
  throw ConfigError(fmt::format(
      "unknown log level '{}': expected trace, debug, info, warn, error or off", level));
}

void set_log_sink(LogSink new_sink) {
  detail::MutexLock lock(sink_mutex);
  sink = std::move(new_sink);
}

}  // namespace strata
