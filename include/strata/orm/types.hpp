// How a C++ member type maps to a column: its SQL type, whether it may be NULL, how it binds as a
// parameter and how it is read from a row. The ORM's models (orm/model.hpp) are built from these
// traits; a member type without them does not compile as a column.
//
//   integers (16, 32, 64 bit)  smallinteger, integer, biginteger
//   bool, float, double        boolean, float, double
//   std::string, strata::Blob  text (or .type(strata::String{200})), binary
//   strata::Date, TimeOfDay, DateTime, Timestamp (std::chrono types)   date, time, datetime(_tz)
//   strata::Uuid, strata::Json uuid, json
//   enums                      integer, or text when strata::EnumText<E> names the values
//   std::optional<T>           T's type, nullable
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "strata/core/error.hpp"
#include "strata/core/value.hpp"
#include "strata/engine/result.hpp"
#include "strata/schema/type.hpp"

namespace strata {

// Specialize for an enum stored as text:
//   template <> struct strata::EnumText<Color> {
//     static constexpr std::array<std::pair<Color, std::string_view>, 2> names{
//         {{Color::red, "red"}, {Color::blue, "blue"}}};
//   };
// Enums without a specialization are stored as their integer value.
template <class E>
struct EnumText;

// `.type()` shorthands for the portable types (docs/schema.md): `.type(strata::String{200})`.
struct String {
  int length = 0;
  operator Type() const { return Type::string(length); }
};
struct Numeric {
  int precision = 18;
  int scale = 0;
  operator Type() const { return Type::numeric(precision, scale); }
};

namespace orm::detail {

template <class E>
concept TextEnum = std::is_enum_v<E> && requires {
  EnumText<E>::names;
};

// Each Traits<T> says what kind of value a member of type T holds (`kind`, a ValueKind), so
// that a comparison with a value of another kind does not compile. Integers of every width
// share one kind, and a real column accepts an integer. Enums are compared only with their own
// type, whatever kind they are stored as.

template <class T>
struct Traits;  // undefined: the member type is not a column type

template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
         sizeof(T) >= 2) struct Traits<T> {
  static constexpr ValueKind kind = ValueKind::integer;
  static Type type() {
    if constexpr (sizeof(T) == 2) return Type::smallinteger();
    if constexpr (sizeof(T) == 4) return Type::integer();
    return Type::biginteger();
  }
  static ValueRef bind(const T& v) { return ValueRef(v); }
};
template <>
struct Traits<bool> {
  static constexpr ValueKind kind = ValueKind::boolean;
  static Type type() { return Type::boolean(); }
  static ValueRef bind(bool v) { return ValueRef(v); }
};
template <class T>
requires std::is_floating_point_v<T>
struct Traits<T> {
  static constexpr ValueKind kind = ValueKind::real;
  static Type type() { return sizeof(T) == 4 ? Type::float32() : Type::float64(); }
  static ValueRef bind(T v) { return ValueRef(static_cast<double>(v)); }
};
template <>
struct Traits<std::string> {
  static constexpr ValueKind kind = ValueKind::text;
  static Type type() { return Type::text(); }
  static ValueRef bind(const std::string& v) { return ValueRef(v); }
};
template <class T, TypeKind K, ValueKind V>
struct PlainTraits {
  static constexpr ValueKind kind = V;
  static Type type() { return Type(K); }
  static ValueRef bind(const T& v) { return ValueRef(v); }
};
template <>
struct Traits<Blob> : PlainTraits<Blob, TypeKind::binary, ValueKind::blob> {};
template <>
struct Traits<Date> : PlainTraits<Date, TypeKind::date, ValueKind::date> {};
template <>
struct Traits<TimeOfDay> : PlainTraits<TimeOfDay, TypeKind::time, ValueKind::time> {};
template <>
struct Traits<DateTime> : PlainTraits<DateTime, TypeKind::datetime, ValueKind::datetime> {};
template <>
struct Traits<Timestamp> : PlainTraits<Timestamp, TypeKind::datetime_tz, ValueKind::timestamp> {};
template <>
struct Traits<Uuid> : PlainTraits<Uuid, TypeKind::uuid, ValueKind::uuid> {};
template <>
struct Traits<Json> : PlainTraits<Json, TypeKind::json, ValueKind::json> {};

[[noreturn]] void throw_unknown_enum_text(std::string_view text);
[[noreturn]] void throw_unnamed_enum_value(std::int64_t value);

template <class E>
requires std::is_enum_v<E>
struct Traits<E> {
  static constexpr ValueKind kind = TextEnum<E> ? ValueKind::text : ValueKind::integer;
  static Type type() {
    if constexpr (TextEnum<E>) {
      std::size_t longest = 1;
      for (const auto& [value, name] : EnumText<E>::names) longest = std::max(longest, name.size());
      return Type::string(static_cast<int>(longest));
    } else {
      return Type::integer();
    }
  }
  static ValueRef bind(E v) {
    if constexpr (TextEnum<E>) {
      for (const auto& [value, name] : EnumText<E>::names) {
        if (value == v) return ValueRef(name);
      }
      throw_unnamed_enum_value(static_cast<std::int64_t>(v));
    } else {
      return ValueRef(static_cast<std::underlying_type_t<E>>(v));
    }
  }
  static E from_text(std::string_view text) {
    for (const auto& [value, name] : EnumText<E>::names) {
      if (name == text) return value;
    }
    throw_unknown_enum_text(text);
  }
};

template <class T>
struct Traits<std::optional<T>> : Traits<T> {
  static ValueRef bind(const std::optional<T>& v) { return v ? Traits<T>::bind(*v) : ValueRef(); }
};

template <class M>
concept Mappable = requires {
  Traits<M>::kind;
};

// The member type without std::optional.
template <class M>
struct Underlying {
  using type = M;
};
template <class M>
struct Underlying<std::optional<M>> {
  using type = M;
};

// Reads column `c` of `row` into `out`.
template <class M>
void read_member(const Row& row, int c, M& out) {
  if constexpr (strata::detail::is_optional_v<M>) {
    if (row.is_null(c)) {
      out.reset();
      return;
    }
    if (!out) out.emplace();
    read_member(row, c, *out);
  } else if constexpr (std::is_same_v<M, std::string>) {
    out.assign(row.get<std::string_view>(c));
  } else if constexpr (TextEnum<M>) {
    out = Traits<M>::from_text(row.get<std::string_view>(c));
  } else if constexpr (std::is_enum_v<M>) {
    out = static_cast<M>(row.get<std::int64_t>(c));
  } else {
    out = row.get<M>(c);
  }
}

// The kind of a value compared with a column; nullopt for types that are no column value.
template <class V>
constexpr auto value_kind() {
  using D = std::remove_cvref_t<V>;
  if constexpr (std::is_same_v<D, std::nullopt_t> || std::is_same_v<D, std::nullptr_t>) {
    return std::optional<ValueKind>();
  } else if constexpr (std::is_convertible_v<D, std::string_view> && !std::is_same_v<D, Json>) {
    return std::optional<ValueKind>(ValueKind::text);
  } else if constexpr (Mappable<D>) {
    return std::optional<ValueKind>(Traits<D>::kind);
  } else {
    return std::optional<ValueKind>();
  }
}

// Whether a member of type M may be compared with a value of type V.
template <class M, class V>
constexpr bool comparable() {
  using D = std::remove_cvref_t<V>;
  using U = typename Underlying<M>::type;
  if constexpr (std::is_same_v<D, std::nullopt_t> || std::is_same_v<D, std::nullptr_t>) {
    return strata::detail::is_optional_v<M>;
  } else if constexpr (std::is_enum_v<U> || std::is_enum_v<D>) {
    return std::is_same_v<U, D>;
  } else if constexpr (!Mappable<D> && !std::is_convertible_v<D, std::string_view>) {
    return false;
  } else {
    constexpr auto column = Traits<U>::kind;
    constexpr auto value = *value_kind<D>();
    return column == value || (column == ValueKind::real && value == ValueKind::integer);
  }
}

}  // namespace orm::detail
}  // namespace strata
