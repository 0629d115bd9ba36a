#include "strata/core/datetime.hpp"

#include <fmt/format.h>

#include <charconv>
#include <functional>

#include "strata/core/error.hpp"

namespace strata {
namespace chr = std::chrono;
namespace {

[[noreturn]] void bad(std::string_view text, std::string_view expected) {
  throw DataError(fmt::format("'{}' is not a {}", text, expected), {});
}

// Reads exactly `digits` decimal digits at `pos`: no sign, no blank.
int digits_at(std::string_view text, std::size_t pos, int digits, std::string_view expected) {
  if (pos + static_cast<std::size_t>(digits) > text.size()) bad(text, expected);
  int value = 0;
  for (std::size_t i = pos; i < pos + static_cast<std::size_t>(digits); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) bad(text, expected);
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

constexpr std::string_view kDateForm = "date (YYYY-MM-DD)";
constexpr std::string_view kTimeForm = "time (HH:MM:SS[.ffffff])";
constexpr std::string_view kDateTimeForm = "date and time (YYYY-MM-DD HH:MM:SS[.ffffff])";
constexpr std::string_view kTimestampForm = "timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]|Z])";

Date date_at(std::string_view text, std::string_view form) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') bad(text, form);
  Date d{chr::year(digits_at(text, 0, 4, form)),
         chr::month(static_cast<unsigned>(digits_at(text, 5, 2, form))),
         chr::day(static_cast<unsigned>(digits_at(text, 8, 2, form)))};
  if (!d.ok()) bad(text, form);
  return d;
}

// Parses HH:MM:SS[.f...] at the start of `text`; `used` receives the characters read.
chr::microseconds time_at(std::string_view text, std::size_t& used, std::string_view form) {
  if (text.size() < 8 || text[2] != ':' || text[5] != ':') bad(text, form);
  int h = digits_at(text, 0, 2, form), m = digits_at(text, 3, 2, form),
      s = digits_at(text, 6, 2, form);
  if (h > 24 || m > 59 || s > 60) bad(text, form);
  std::int64_t micros = 0;
  used = 8;
  if (used < text.size() && text[used] == '.') {
    std::size_t first = ++used;
    std::int64_t scale = 100000;
    for (; used < text.size() && std::isdigit(static_cast<unsigned char>(text[used])); ++used) {
      micros += (text[used] - '0') * scale;
      scale /= 10;
    }
    if (used == first || used - first > 6) bad(text, form);  // microseconds at most
  }
  // 24:00:00 is midnight at the end of the day, as PostgreSQL allows; nothing later.
  if (h == 24 && (m != 0 || s != 0 || micros != 0)) bad(text, form);
  return chr::hours(h) + chr::minutes(m) + chr::seconds(s) + chr::microseconds(micros);
}

std::size_t write_time(std::int64_t micros, char* out) {
  auto hms = chr::hh_mm_ss<chr::microseconds>(chr::microseconds(micros));
  auto fraction = hms.subseconds().count();
  auto end = fraction == 0 ? fmt::format_to(out, "{:02}:{:02}:{:02}", hms.hours().count(),
                                            hms.minutes().count(), hms.seconds().count())
                           : fmt::format_to(out, "{:02}:{:02}:{:02}.{:06}", hms.hours().count(),
                                            hms.minutes().count(), hms.seconds().count(), fraction);
  return static_cast<std::size_t>(end - out);
}

// Splits micros since the epoch into days and micros within the day, flooring for dates
// before 1970.
std::pair<std::int64_t, std::int64_t> split_day(std::int64_t micros) {
  constexpr std::int64_t kDay = 86'400'000'000;
  std::int64_t days = micros / kDay;
  std::int64_t rest = micros % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  return {days, rest};
}

// +HH, +HH:MM, +HHMM or +HH:MM:SS (PostgreSQL prints seconds for old local mean times); Z.
chr::seconds offset_at(std::string_view text, std::string_view whole) {
  if (text.empty() || text == "Z" || text == "z") return chr::seconds(0);
  if (text[0] != '+' && text[0] != '-') bad(whole, kTimestampForm);
  int sign = text[0] == '-' ? -1 : 1;
  int parts[3] = {digits_at(text, 1, 2, kTimestampForm), 0, 0};
  std::size_t pos = 3;
  for (int& part : {std::ref(parts[1]), std::ref(parts[2])}) {
    if (pos == text.size()) break;
    if (text[pos] == ':') ++pos;
    part = digits_at(text, pos, 2, kTimestampForm);
    pos += 2;
  }
  if (pos != text.size() || parts[1] > 59 || parts[2] > 59) bad(whole, kTimestampForm);
  return chr::seconds(sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]));
}

}  // namespace

std::size_t format_date(std::int64_t days, char* out) {
  Date d{chr::sys_days(chr::days(days))};
  auto end = fmt::format_to(out, "{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                            static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return static_cast<std::size_t>(end - out);
}

std::size_t format_time(std::int64_t micros, char* out) {
  return write_time(micros, out);
}

std::size_t format_datetime(std::int64_t micros, char* out) {
  auto [days, rest] = split_day(micros);
  std::size_t n = format_date(days, out);
  out[n++] = ' ';
  return n + write_time(rest, out + n);
}

std::size_t format_timestamp(std::int64_t micros, char* out) {
  std::size_t n = format_datetime(micros, out);
  for (char c : std::string_view("+00:00")) out[n++] = c;
  return n;
}

std::string to_iso8601(Timestamp at) {
  auto [days, rest] = split_day(at.time_since_epoch().count());
  std::array<char, kMaxTemporalText> text{};
  std::size_t n = format_date(days, text.data());
  auto hms = chr::hh_mm_ss<chr::microseconds>(chr::microseconds(rest));
  auto end = fmt::format_to(text.data() + n, "T{:02}:{:02}:{:02}.{:06}+00:00", hms.hours().count(),
                            hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
  return {text.data(), static_cast<std::size_t>(end - text.data())};
}

Date parse_date(std::string_view text) {
  if (text.size() != 10) bad(text, kDateForm);
  return date_at(text, kDateForm);
}

TimeOfDay parse_time(std::string_view text) {
  std::size_t used = 0;
  auto t = time_at(text, used, kTimeForm);
  if (used != text.size()) bad(text, kTimeForm);
  return TimeOfDay{t};
}

DateTime parse_datetime(std::string_view text) {
  if (text.size() == 10) return DateTime(chr::local_days(date_at(text, kDateTimeForm)));
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T')) bad(text, kDateTimeForm);
  std::size_t used = 0;
  auto t = time_at(text.substr(11), used, kDateTimeForm);
  if (11 + used != text.size()) bad(text, kDateTimeForm);
  return DateTime(chr::local_days(date_at(text, kDateTimeForm))) + t;
}

Timestamp parse_timestamp(std::string_view text) {
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T')) bad(text, kTimestampForm);
  std::size_t used = 0;
  auto t = time_at(text.substr(11), used, kTimestampForm);
  auto offset = offset_at(text.substr(11 + used), text);
  return Timestamp(chr::sys_days(date_at(text, kTimestampForm))) + t - offset;
}

Uuid Uuid::parse(std::string_view text) {
  Uuid u;
  std::size_t byte = 0;
  for (std::size_t i = 0; i < text.size() && byte < 32; ++i) {
    if (text.size() == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i] != '-') break;
      continue;
    }
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) break;
    u.bytes[byte / 2] |= static_cast<std::byte>(byte % 2 == 0 ? v << 4 : v);
    ++byte;
  }
  if (byte != 32 || (text.size() != 36 && text.size() != 32)) {
    throw DataError(fmt::format("'{}' is not a UUID (expected 8-4-4-4-12 hex digits)", text), {});
  }
  return u;
}

std::size_t format_uuid(const std::byte* bytes, char* out) {
  constexpr char kHex[] = "0123456789abcdef";
  std::size_t n = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[n++] = '-';
    out[n++] = kHex[static_cast<unsigned>(bytes[i]) >> 4];
    out[n++] = kHex[static_cast<unsigned>(bytes[i]) & 15];
  }
  return n;
}

std::string Uuid::to_string() const {
  char buffer[36];
  return std::string(buffer, format_uuid(bytes.data(), buffer));
}

}  // namespace strata
