// Dates, times, UUIDs and JSON as values strata binds and reads. Dates and times are
// std::chrono types; they travel as ISO 8601 text (SQLite stores that text, PostgreSQL parses
// it), with microsecond precision.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstddef>
#include <string>
#include <string_view>

namespace strata {

using Date = std::chrono::year_month_day;
// A date and time without a time zone (`datetime`).
using DateTime = std::chrono::local_time<std::chrono::microseconds>;
// An instant, UTC (`datetime_tz`). Text with another offset is converted on reading.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// A time of day, `time`: microseconds since midnight.
struct TimeOfDay {
  std::chrono::microseconds since_midnight{0};
  auto operator<=>(const TimeOfDay&) const = default;
};

// A UUID as its 16 bytes. A value type.
struct Uuid {
  std::array<std::byte, 16> bytes{};
  // Accepts the 36-character form (case-insensitive) or 32 hex digits. Throws strata::Error.
  static Uuid parse(std::string_view text);
  std::string to_string() const;  // lower case, 8-4-4-4-12
  bool operator==(const Uuid&) const = default;
};

// JSON document text, stored as is (SQLite TEXT, PostgreSQL JSONB).
struct Json {
  std::string text;
  bool operator==(const Json&) const = default;
};

// Text forms. The formatters write at most kMaxTemporalText characters and return how many.
inline constexpr std::size_t kMaxTemporalText = 40;
std::size_t format_date(std::int64_t days_since_epoch, char* out);
std::size_t format_time(std::int64_t micros_since_midnight, char* out);
std::size_t format_datetime(std::int64_t micros_since_epoch, char* out);
std::size_t format_timestamp(std::int64_t micros_since_epoch, char* out);  // "...+00:00"
std::size_t format_uuid(const std::byte* bytes, char* out);

// The one text form strata gives an instant to the outside world, whatever the backend stored:
// ISO 8601 with a `T`, always six fractional digits and the UTC offset, the form FastAPI and
// JavaScript's Date both read: "2026-11-24T04:20:46.000000+00:00".
std::string to_iso8601(Timestamp at);

// Parsers accept what SQLite's and PostgreSQL's ISO output look like ("2024-01-02",
// "03:04:05.123456", "2024-01-02 03:04:05", "2024-01-02T03:04:05.5+05:30", "...Z"). They
// throw DataError naming the text and the expected form.
Date parse_date(std::string_view text);
TimeOfDay parse_time(std::string_view text);
DateTime parse_datetime(std::string_view text);
Timestamp parse_timestamp(std::string_view text);  // no offset: UTC

}  // namespace strata
