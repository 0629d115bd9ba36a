#include "app/api/validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace backend::api {
namespace {

// UTF-8 code points: every byte but continuation bytes (10xxxxxx) starts one. The parser has
// already rejected malformed UTF-8.
std::size_t characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

FieldError not_an_integer(std::vector<std::string> loc) {
  return {std::move(loc), "value is not a valid integer", "type_error.integer"};
}

}  // namespace

nlohmann::ordered_json json_object(const httplib::Request& req) {
  if (req.body.empty())
    throw ValidationError({{{"body"}, "field required", "value_error.missing"}});
  nlohmann::ordered_json body =
      nlohmann::ordered_json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) throw HttpError(400, "There was an error parsing the body as JSON");
  if (!body.is_object()) {
    throw ValidationError({{{"body"}, "value is not a valid dict", "type_error.dict"}});
  }
  return body;
}

const nlohmann::ordered_json* BodyReader::find(std::string_view field, bool required) {
  auto it = object_.find(field);
  if (it != object_.end()) return &*it;
  if (required) fail(field, "field required", "value_error.missing");
  return nullptr;
}

void BodyReader::fail(std::string_view field, std::string msg, std::string type) {
  errors_.push_back({{"body", std::string(field)}, std::move(msg), std::move(type)});
}

std::optional<std::string> BodyReader::text(std::string_view field,
                                            const nlohmann::ordered_json& value, Length length) {
  if (value.is_null()) {
    fail(field, "none is not an allowed value", "type_error.none.not_allowed");
    return std::nullopt;
  }
  if (!value.is_string()) {
    fail(field, "str type expected", "type_error.str");
    return std::nullopt;
  }
  const auto& s = value.get_ref<const std::string&>();
  std::size_t n = characters(s);
  if (n < static_cast<std::size_t>(length.min)) {
    fail(field, fmt::format("ensure this value has at least {} characters", length.min),
         "value_error.any_str.min_length");
    return std::nullopt;
  }
  if (n > static_cast<std::size_t>(length.max)) {
    fail(field, fmt::format("ensure this value has at most {} characters", length.max),
         "value_error.any_str.max_length");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> BodyReader::required_text(std::string_view field, Length length) {
  const auto* value = find(field, true);
  return value ? text(field, *value, length) : std::nullopt;
}

std::optional<std::string> BodyReader::optional_text(std::string_view field, Length length) {
  const auto* value = find(field, false);
  return value ? text(field, *value, length) : std::nullopt;
}

NullableUpdate BodyReader::nullable_text(std::string_view field, Length length) {
  const auto* value = find(field, false);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::optional<std::string>();
  auto s = text(field, *value, length);
  return s ? NullableUpdate(std::move(s)) : std::nullopt;
}

std::optional<std::int64_t> BodyReader::integer(std::string_view field,
                                                const nlohmann::ordered_json* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) {
    fail(field, "none is not an allowed value", "type_error.none.not_allowed");
    return std::nullopt;
  }
  // JSON numbers beyond 64 bits parse as doubles: not valid ids either.
  if (!value->is_number_integer() ||
      (value->is_number_unsigned() &&
       value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
    auto e = not_an_integer({"body", std::string(field)});
    fail(field, e.msg, e.type);
    return std::nullopt;
  }
  return value->get<std::int64_t>();
}

std::optional<std::int64_t> BodyReader::required_integer(std::string_view field) {
  return integer(field, find(field, true));
}

std::optional<std::int64_t> BodyReader::optional_integer(std::string_view field) {
  return integer(field, find(field, false));
}

void BodyReader::check_email(std::string_view field, const std::optional<std::string>& value) {
  if (!value) return;
  auto at = value->find('@');
  bool valid = at != std::string::npos && at > 0 && at + 1 < value->size() &&
               value->find('@', at + 1) == std::string::npos;
  if (!valid) fail(field, "value is not a valid email address", "value_error.email");
}

void BodyReader::check() const {
  if (!errors_.empty()) throw ValidationError(errors_);
}

Page Page::from(const httplib::Request& req) {
  std::vector<FieldError> errors;
  auto read = [&](const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    if (!req.has_param(name)) return fallback;
    auto value = parse_integer(req.get_param_value(name));
    if (!value) {
      errors.push_back(not_an_integer({"query", name}));
    } else if (*value < min) {
      errors.push_back({{"query", name},
                        fmt::format("ensure this value is greater than or equal to {}", min),
                        "value_error.number.not_ge"});
    } else if (*value > max) {
      errors.push_back({{"query", name},
                        fmt::format("ensure this value is less than or equal to {}", max),
                        "value_error.number.not_le"});
    }
    return value.value_or(fallback);
  };
  Page page;
  page.limit = read("limit", kDefaultLimit, 1, kMaxLimit);
  page.offset = read("offset", 0, 0, INT64_MAX);
  if (!errors.empty()) throw ValidationError(errors);
  return page;
}

std::int64_t path_id(const httplib::Request& req, const std::string& name) {
  auto id = parse_integer(req.matches[1].str());
  if (!id) throw ValidationError({not_an_integer({"path", name})});
  return *id;
}

}  // namespace backend::api
