#include "strata/core/value.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "strata/core/error.hpp"

namespace strata {

Blob::Blob(std::string_view data)
    : bytes(reinterpret_cast<const std::byte*>(data.data()),
            reinterpret_cast<const std::byte*>(data.data()) + data.size()) {}

ValueRef::ValueRef(const Value& v) noexcept : ValueRef() {
  std::visit(
      [this](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (!std::is_same_v<T, std::monostate>) *this = ValueRef(x);
      },
      v.storage());
}

std::size_t ValueRef::format(char* out) const noexcept {
  switch (kind_) {
    case ValueKind::date:
      return format_date(int_, out);
    case ValueKind::time:
      return format_time(int_, out);
    case ValueKind::datetime:
      return format_datetime(int_, out);
    case ValueKind::timestamp:
      return format_timestamp(int_, out);
    case ValueKind::uuid:
      return format_uuid(blob_.data(), out);
    default:
      return 0;
  }
}

namespace {

Value::Storage storage_of(ValueRef ref) {
  namespace chr = std::chrono;
  switch (ref.kind()) {
    case ValueKind::null:
      return std::monostate{};
    case ValueKind::integer:
      return ref.as_int();
    case ValueKind::real:
      return ref.as_double();
    case ValueKind::text:
      return std::string(ref.as_text());
    case ValueKind::blob:
      return Blob(std::vector<std::byte>(ref.as_blob().begin(), ref.as_blob().end()));
    case ValueKind::boolean:
      return ref.as_bool();
    case ValueKind::date:
      return Date(chr::sys_days(chr::days(ref.as_count())));
    case ValueKind::time:
      return TimeOfDay{chr::microseconds(ref.as_count())};
    case ValueKind::datetime:
      return DateTime(chr::microseconds(ref.as_count()));
    case ValueKind::timestamp:
      return Timestamp(chr::microseconds(ref.as_count()));
    case ValueKind::json:
      return Json{std::string(ref.as_text())};
    case ValueKind::uuid: {
      Uuid u;
      std::copy(ref.as_blob().begin(), ref.as_blob().end(), u.bytes.begin());
      return u;
    }
  }
  return std::monostate{};
}

constexpr std::string_view kKindNames[] = {"null",     "integer",   "real", "text",
                                           "blob",     "boolean",   "date", "time",
                                           "datetime", "timestamp", "uuid", "json"};

template <class T>
const T& get_as(const Value::Storage& data, ValueKind wanted) {
  if (const T* p = std::get_if<T>(&data)) return *p;
  throw UsageError(fmt::format("value is {}, not {}",
                               to_string(static_cast<ValueKind>(data.index())), to_string(wanted)));
}

}  // namespace

Value::Value(ValueRef ref) : data_(storage_of(ref)) {}

std::string_view to_string(ValueKind kind) noexcept {
  auto index = static_cast<std::size_t>(kind);
  return index < std::size(kKindNames) ? kKindNames[index] : "unknown";
}

std::int64_t Value::as_int() const {
  return get_as<std::int64_t>(data_, ValueKind::integer);
}
double Value::as_double() const {
  return get_as<double>(data_, ValueKind::real);
}
const std::string& Value::as_text() const {
  return get_as<std::string>(data_, ValueKind::text);
}
const Blob& Value::as_blob() const {
  return get_as<Blob>(data_, ValueKind::blob);
}
bool Value::as_bool() const {
  return get_as<bool>(data_, ValueKind::boolean);
}

std::string Value::to_string() const {
  return std::visit(
      [this](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "NULL";
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return fmt::format("{}", v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return fmt::format("'{}'", v);
        } else if constexpr (std::is_same_v<T, Json>) {
          return fmt::format("'{}'", v.text);
        } else if constexpr (std::is_same_v<T, Blob>) {
          std::string out = "x'";
          for (std::byte b : v.bytes) out += fmt::format("{:02x}", static_cast<unsigned>(b));
          return out + "'";
        } else {
          char buffer[kMaxTemporalText];
          return "'" + std::string(buffer, ValueRef(*this).format(buffer)) + "'";
        }
      },
      data_);
}

}  // namespace strata
