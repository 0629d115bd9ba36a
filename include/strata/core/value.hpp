// Values that cross the boundary between C++ and a database: an owning `Value` (null, int64,
// double, text, blob, bool) and `ValueRef`, a non-owning view of one that parameters are bound
// through, so that binding never copies a string or allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "strata/core/datetime.hpp"

namespace strata {

enum class ValueKind : std::uint8_t {
  null,
  integer,
  real,
  text,
  blob,
  boolean,
  date,
  time,
  datetime,
  timestamp,  // datetime_tz: an instant
  uuid,
  json,
};

namespace detail {
// Whether T is a std::optional: a column that may be NULL, a value that may be absent.
template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;
}  // namespace detail

// Binary data. A value type; NUL bytes are data like any other.
struct Blob {
  std::vector<std::byte> bytes;

  Blob() = default;
  explicit Blob(std::vector<std::byte> data) : bytes(std::move(data)) {}
  explicit Blob(std::string_view data);
  std::span<const std::byte> view() const noexcept { return bytes; }
  bool operator==(const Blob&) const = default;
};

class Value;

// A non-owning view of a parameter value. It must not outlive what it views; the engine only
// holds one for the duration of a call.
class ValueRef {
 public:
  ValueRef() noexcept : kind_(ValueKind::null) {}
  ValueRef(std::nullptr_t) noexcept : kind_(ValueKind::null) {}
  ValueRef(std::nullopt_t) noexcept : kind_(ValueKind::null) {}
  ValueRef(bool v) noexcept : kind_(ValueKind::boolean), int_(v ? 1 : 0) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>)
      ValueRef(T v)
  noexcept : kind_(ValueKind::integer), int_(static_cast<std::int64_t>(v)) {}
  ValueRef(double v) noexcept : kind_(ValueKind::real), real_(v) {}
  ValueRef(float v) noexcept : kind_(ValueKind::real), real_(v) {}
  ValueRef(std::string_view v) noexcept : kind_(ValueKind::text), text_(v) {}
  ValueRef(const std::string& v) noexcept : kind_(ValueKind::text), text_(v) {}
  ValueRef(const char* v) noexcept : kind_(ValueKind::text), text_(v) {}
  ValueRef(const Blob& v) noexcept : kind_(ValueKind::blob), blob_(v.bytes) {}
  ValueRef(std::span<const std::byte> v) noexcept : kind_(ValueKind::blob), blob_(v) {}
  ValueRef(const Date& v) noexcept
      : kind_(ValueKind::date), int_(std::chrono::sys_days(v).time_since_epoch().count()) {}
  ValueRef(TimeOfDay v) noexcept : kind_(ValueKind::time), int_(v.since_midnight.count()) {}
  ValueRef(DateTime v) noexcept : kind_(ValueKind::datetime), int_(v.time_since_epoch().count()) {}
  ValueRef(Timestamp v) noexcept
      : kind_(ValueKind::timestamp), int_(v.time_since_epoch().count()) {}
  ValueRef(const Uuid& v) noexcept : kind_(ValueKind::uuid), blob_(v.bytes) {}
  ValueRef(const Json& v) noexcept : kind_(ValueKind::json), text_(v.text) {}
  ValueRef(const Value& v) noexcept;
  template <class T>
  ValueRef(const std::optional<T>& v) noexcept : ValueRef() {
    if (v) *this = ValueRef(*v);
  }

  ValueKind kind() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == ValueKind::null; }
  std::int64_t as_int() const noexcept { return int_; }
  double as_double() const noexcept { return real_; }
  bool as_bool() const noexcept { return int_ != 0; }
  std::string_view as_text() const noexcept { return text_; }
  std::span<const std::byte> as_blob() const noexcept { return blob_; }
  // Days (date), microseconds since midnight (time) or since the epoch (datetime, timestamp).
  std::int64_t as_count() const noexcept { return int_; }
  // The text a database is given for a date, time or uuid; `out` holds kMaxTemporalText.
  std::size_t format(char* out) const noexcept;

 private:
  ValueKind kind_;
  std::int64_t int_ = 0;
  double real_ = 0;
  std::string_view text_;
  std::span<const std::byte> blob_;
};

// An owning database value. A value type: copyable, comparable, printable with to_string().
class Value {
 public:
  // In the order of ValueKind.
  using Storage = std::variant<std::monostate, std::int64_t, double, std::string, Blob, bool, Date,
                               TimeOfDay, DateTime, Timestamp, Uuid, Json>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool v) : data_(v) {}
  template <class T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>) Value(T v)
      : data_(static_cast<std::int64_t>(v)) {}
  Value(double v) : data_(v) {}
  Value(std::string v) : data_(std::move(v)) {}
  Value(std::string_view v) : data_(std::string(v)) {}
  Value(const char* v) : data_(std::string(v)) {}
  Value(Blob v) : data_(std::move(v)) {}
  Value(Date v) : data_(v) {}
  Value(TimeOfDay v) : data_(v) {}
  Value(DateTime v) : data_(v) {}
  Value(Timestamp v) : data_(v) {}
  Value(Uuid v) : data_(v) {}
  Value(Json v) : data_(std::move(v)) {}
  explicit Value(ValueRef ref);
  template <class T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }

  ValueKind kind() const noexcept { return static_cast<ValueKind>(data_.index()); }
  bool is_null() const noexcept { return kind() == ValueKind::null; }
  const Storage& storage() const noexcept { return data_; }

  // Typed access; throws strata::Error naming both kinds when the value holds another kind.
  std::int64_t as_int() const;
  double as_double() const;
  const std::string& as_text() const;
  const Blob& as_blob() const;
  bool as_bool() const;

  // SQL-literal-like text for messages and logs: NULL, 42, 'text', x'00ff', true.
  std::string to_string() const;

  bool operator==(const Value&) const = default;

 private:
  Storage data_;
};

std::string_view to_string(ValueKind kind) noexcept;

}  // namespace strata
