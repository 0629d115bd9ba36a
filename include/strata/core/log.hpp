// strata's own log: connections opened and replaced, rollbacks that failed on cleanup; never a
// password. Quiet (warnings and errors) unless raised. Lines go to stderr unless the
// application routes them to its own logger with set_log_sink. Both settings are process-wide
// and safe to change from any thread.
#pragma once

#include <functional>
#include <string_view>

namespace strata {

enum class LogLevel { trace, debug, info, warn, error, off };

// "trace", "debug", "info", "warn", "error" or "off". Throws ConfigError for anything else.
void set_log_level(std::string_view level);
void set_log_level(LogLevel level);

// Receives each line at or above the level, without a trailing newline. An empty function
// restores the default (stderr). The sink may be called from any thread, one call at a time.
using LogSink = std::function<void(LogLevel level, std::string_view message)>;
void set_log_sink(LogSink sink);

}  // namespace strata
