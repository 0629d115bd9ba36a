// Durations as strata.toml and revision files write them: "500ms", "5s", "1.5min", "1h", or a
// plain number of seconds ("5", "0.5"); 0 means no limit. One small grammar for every setting that
// takes a time, so that a value written for one is valid for the others.
#pragma once

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace strata::detail {

// What a setting's error says it expects.
inline constexpr std::string_view kDurationForms =
    "a duration such as 500ms, 5s, 1min or a number of seconds (0: no limit)";

// Milliseconds, or nullopt when `text` is not a duration. A value below a millisecond other
// than 0 is refused rather than rounded to 0, which would mean no limit; so is one past
// PostgreSQL's largest (2147483647 ms).
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data() || !std::isfinite(number) || number < 0) {
    return std::nullopt;
  }
  std::string_view unit(end, text.data() + text.size() - end);
  double scale = unit == "ms"                  ? 1
                 : unit.empty() || unit == "s" ? 1e3
                 : unit == "min"               ? 6e4
                 : unit == "h"                 ? 3.6e6
                                               : 0;
  if (scale == 0) return std::nullopt;
  double ms = number * scale;
  if ((ms < 1 && ms != 0) || ms > std::numeric_limits<std::int32_t>::max()) return std::nullopt;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

// "200ms", "5s", "1.5s", "2min": how messages write a duration back.
inline std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms != 0 && ms % 60000 == 0) return fmt::format("{}min", ms / 60000);
  if (ms < 1000 && ms != 0) return fmt::format("{}ms", ms);
  return fmt::format("{}s", static_cast<double>(ms) / 1000.0);
}

}  // namespace strata::detail
