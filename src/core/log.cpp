#include "strata/core/log.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "log.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace detail {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto existing = spdlog::get("strata");
    if (existing) return existing;
    auto created = spdlog::stderr_color_mt("strata");
    created->set_level(spdlog::level::warn);
    return created;
  }();
  return *instance;
}

}  // namespace detail

void set_log_level(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    throw ConfigError(fmt::format(
        "unknown log level '{}': expected trace, debug, info, warn, error or off", level));
  }
  detail::logger().set_level(parsed);
}

}  // namespace strata
