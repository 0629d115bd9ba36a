// strata logs through spdlog under the logger name "strata" (connections opened and closed,
// pool waits), never with a password. Quiet (warnings only) unless raised here.
#pragma once

#include <string_view>

namespace strata {

// "trace", "debug", "info", "warn", "error" or "off". Throws ConfigError for anything else.
void set_log_level(std::string_view level);

}  // namespace strata
