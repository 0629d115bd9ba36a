// strata's column types: the portable set (docs/schema.md) (`string(200)`, `numeric(10,2)`, ...),
// which each dialect renders and reflection normalises back to. A type that strata does not
// know (a hand-written `inet` column) is kept as `other` with its database name.
#pragma once

#include <string>
#include <string_view>

namespace strata {

enum class TypeKind {
  boolean,
  smallinteger,
  integer,
  biginteger,
  float32,  // "float"
  float64,  // "double"
  numeric,
  string,
  text,
  date,
  time,
  datetime,
  datetime_tz,
  binary,
  json,
  uuid,
  other,
};

// A column type. A value type: copyable, comparable, safe to share between threads.
class Type {
 public:
  Type() = default;
  explicit Type(TypeKind kind) : kind_(kind) {}

  static Type boolean() { return Type(TypeKind::boolean); }
  static Type smallinteger() { return Type(TypeKind::smallinteger); }
  static Type integer() { return Type(TypeKind::integer); }
  static Type biginteger() { return Type(TypeKind::biginteger); }
  static Type float32() { return Type(TypeKind::float32); }
  static Type float64() { return Type(TypeKind::float64); }
  static Type numeric(int precision, int scale);  // precision 0: any (bare NUMERIC)
  static Type string(int length = 0);             // 0: no length limit
  static Type text() { return Type(TypeKind::text); }
  static Type date() { return Type(TypeKind::date); }
  static Type time() { return Type(TypeKind::time); }
  static Type datetime() { return Type(TypeKind::datetime); }
  static Type datetime_tz() { return Type(TypeKind::datetime_tz); }
  static Type binary() { return Type(TypeKind::binary); }
  static Type json() { return Type(TypeKind::json); }
  static Type uuid() { return Type(TypeKind::uuid); }
  static Type other(std::string database_name);

  // Parses the names of revision files: `biginteger`, `string(200)`, `numeric(10,2)`.
  // Throws strata::Error naming the text and listing the known types.
  static Type parse(std::string_view text);
  // The revision-file name; parse(to_string()) gives the same type.
  std::string to_string() const;

  TypeKind kind() const noexcept { return kind_; }
  int length() const noexcept { return length_; }
  int precision() const noexcept { return precision_; }
  int scale() const noexcept { return scale_; }
  const std::string& database_name() const noexcept { return other_; }
  bool is_integer() const noexcept;

  bool operator==(const Type&) const = default;

 private:
  TypeKind kind_ = TypeKind::text;
  int length_ = 0;
  int precision_ = 0;
  int scale_ = 0;
  std::string other_;
};

}  // namespace strata
