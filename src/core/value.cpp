#include "strata/core/value.hpp"

#include <fmt/format.h>

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

Value::Value(ValueRef ref) {
  switch (ref.kind()) {
    case ValueKind::null:
      break;
    case ValueKind::integer:
      data_ = ref.as_int();
      break;
    case ValueKind::real:
      data_ = ref.as_double();
      break;
    case ValueKind::text:
      data_ = std::string(ref.as_text());
      break;
    case ValueKind::blob:
      data_ = Blob(std::vector<std::byte>(ref.as_blob().begin(), ref.as_blob().end()));
      break;
    case ValueKind::boolean:
      data_ = ref.as_bool();
      break;
  }
}

std::string_view to_string(ValueKind kind) noexcept {
  switch (kind) {
    case ValueKind::null:
      return "null";
    case ValueKind::integer:
      return "integer";
    case ValueKind::real:
      return "real";
    case ValueKind::text:
      return "text";
    case ValueKind::blob:
      return "blob";
    case ValueKind::boolean:
      return "boolean";
  }
  return "unknown";
}

namespace {

template <class T>
const T& get_as(const Value::Storage& data, ValueKind wanted) {
  if (const T* p = std::get_if<T>(&data)) return *p;
  throw Error(fmt::format("value is {}, not {}", to_string(static_cast<ValueKind>(data.index())),
                          to_string(wanted)));
}

}  // namespace

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
  struct Printer {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(std::int64_t v) const { return fmt::format("{}", v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return fmt::format("'{}'", v); }
    std::string operator()(const Blob& v) const {
      std::string out = "x'";
      for (std::byte b : v.bytes) out += fmt::format("{:02x}", static_cast<unsigned>(b));
      return out + "'";
    }
  };
  return std::visit(Printer{}, data_);
}

}  // namespace strata
