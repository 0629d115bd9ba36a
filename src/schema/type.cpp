#include "strata/schema/type.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "strata/core/error.hpp"

namespace strata {
namespace {

constexpr std::array<std::pair<std::string_view, TypeKind>, 16> kNames = {{
    {"boolean", TypeKind::boolean},
    {"smallinteger", TypeKind::smallinteger},
    {"integer", TypeKind::integer},
    {"biginteger", TypeKind::biginteger},
    {"float", TypeKind::float32},
    {"double", TypeKind::float64},
    {"numeric", TypeKind::numeric},
    {"string", TypeKind::string},
    {"text", TypeKind::text},
    {"date", TypeKind::date},
    {"time", TypeKind::time},
    {"datetime", TypeKind::datetime},
    {"datetime_tz", TypeKind::datetime_tz},
    {"binary", TypeKind::binary},
    {"json", TypeKind::json},
    {"uuid", TypeKind::uuid},
}};

[[noreturn]] void unknown(std::string_view text) {
  throw UsageError(fmt::format(
      "unknown type '{}': expected boolean, smallinteger, integer, biginteger, float, double, "
      "numeric, numeric(p,s), string(n), text, date, time, datetime, datetime_tz, binary, json or "
      "uuid",
      text));
}

int parse_int(std::string_view text, std::string_view whole) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) {
    unknown(whole);
  }
  return value;
}

}  // namespace

Type Type::numeric(int precision, int scale) {
  Type t(TypeKind::numeric);
  t.precision_ = precision;
  t.scale_ = precision == 0 ? 0 : scale;  // any precision has any scale
  return t;
}

Type Type::string(int length) {
  Type t(TypeKind::string);
  t.length_ = length;
  return t;
}

Type Type::other(std::string database_name) {
  Type t(TypeKind::other);
  t.other_ = std::move(database_name);
  return t;
}

bool Type::is_integer() const noexcept {
  return kind_ == TypeKind::smallinteger || kind_ == TypeKind::integer ||
         kind_ == TypeKind::biginteger;
}

Type Type::parse(std::string_view text) {
  auto open = text.find('(');
  std::string_view name = text.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  const auto* found = std::find_if(kNames.begin(), kNames.end(),
                                   [&](const auto& entry) { return entry.first == name; });
  if (found == kNames.end()) unknown(text);
  Type type(found->second);
  if (open == std::string_view::npos) {
    // Bare `numeric`: any precision (PostgreSQL's unconstrained numeric), precision 0.
    return type;
  }
  if (!text.ends_with(')')) unknown(text);
  std::string_view args = text.substr(open + 1, text.size() - open - 2);
  if (type.kind_ == TypeKind::string) return string(parse_int(args, text));
  if (type.kind_ != TypeKind::numeric) unknown(text);
  auto comma = args.find(',');
  int scale = comma == std::string_view::npos ? 0 : parse_int(args.substr(comma + 1), text);
  int precision = parse_int(args.substr(0, comma), text);
  if (precision == 0) unknown(text);  // written `numeric`
  return numeric(precision, scale);
}

std::string Type::to_string() const {
  if (kind_ == TypeKind::other) return other_;
  const auto* found = std::find_if(kNames.begin(), kNames.end(),
                                   [&](const auto& entry) { return entry.second == kind_; });
  std::string name(found->first);
  if (kind_ == TypeKind::numeric && precision_ > 0) {
    return fmt::format("{}({},{})", name, precision_, scale_);
  }
  if (kind_ == TypeKind::string && length_ > 0) return fmt::format("{}({})", name, length_);
  return name;
}

}  // namespace strata
