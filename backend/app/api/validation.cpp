#include "app/api/validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <charconv>

namespace backend::api {
namespace {

using Json = nlohmann::ordered_json;

// UTF-8 code points: every byte but continuation bytes (10xxxxxx) starts one. The JSON parser
// has already rejected malformed UTF-8.
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

bool is_email(std::string_view value) {
  auto at = value.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < value.size() &&
         value.find('@', at + 1) == std::string_view::npos;
}

// What is wrong with a string value, or nullopt. NUL is refused because PostgreSQL cannot
// store it in text and SQLite would cut C strings at it: both backends answer alike.
std::optional<FieldError> check_text(const Field& field, const std::string& value) {
  if (value.find('\0') != std::string::npos) {
    return FieldError{{}, "string contains a NUL character", "value_error.str.nul"};
  }
  std::size_t n = characters(value);
  if (n < static_cast<std::size_t>(field.min_length)) {
    return FieldError{{},
                      fmt::format("ensure this value has at least {} characters", field.min_length),
                      "value_error.any_str.min_length"};
  }
  if (field.max_length > 0 && n > static_cast<std::size_t>(field.max_length)) {
    return FieldError{{},
                      fmt::format("ensure this value has at most {} characters", field.max_length),
                      "value_error.any_str.max_length"};
  }
  if (field.email && !is_email(value)) {
    return FieldError{{}, "value is not a valid email address", "value_error.email"};
  }
  return std::nullopt;
}

// JSON numbers beyond 64 bits parse as doubles or large unsigned: not valid ids either.
bool is_int64(const Json& value) {
  return value.is_number_integer() &&
         !(value.is_number_unsigned() &&
           value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX));
}

std::optional<FieldError> check_value(const Field& field, const Json& value) {
  if (value.is_null()) {
    if (field.nullable) return std::nullopt;
    return FieldError{{}, "none is not an allowed value", "type_error.none.not_allowed"};
  }
  switch (field.type) {
    case Type::integer:
      if (!is_int64(value)) return not_an_integer({});
      return std::nullopt;
    case Type::boolean:
      if (!value.is_boolean())
        return FieldError{{}, "value could not be parsed to a boolean", "type_error.bool"};
      return std::nullopt;
    case Type::string:
    case Type::timestamp:
      if (!value.is_string()) return FieldError{{}, "str type expected", "type_error.str"};
      return check_text(field, value.get_ref<const std::string&>());
  }
  return std::nullopt;
}

// FastAPI reads a body as JSON only when its Content-Type says so (application/json, or
// application/*+json): a cross-site form may send text/plain without a CORS preflight.
bool is_json(std::optional<std::string_view> content_type) {
  if (!content_type) return false;
  auto type = content_type->substr(0, content_type->find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (boost::beast::iequals(type, "application/json")) return true;
  constexpr std::string_view kPrefix = "application/";
  return type.size() > kPrefix.size() + 5 &&
         boost::beast::iequals(type.substr(0, kPrefix.size()), kPrefix) &&
         boost::beast::iequals(type.substr(type.size() - 5), "+json");
}

}  // namespace

void validate(const Schema& schema, const Json& body) {
  std::vector<FieldError> errors;
  for (const auto& field : schema.fields) {
    auto it = body.find(field.name);
    std::optional<FieldError> error;
    if (it == body.end()) {
      if (field.required) error = FieldError{{}, "field required", "value_error.missing"};
    } else {
      error = check_value(field, *it);
    }
    if (!error) continue;
    error->loc = {"body", std::string(field.name)};
    errors.push_back(std::move(*error));
  }
  if (!errors.empty()) throw ValidationError(errors);
}

Json json_body(const http::Request& req, const Schema& schema) {
  if (!is_json(req.header("Content-Type"))) {
    throw ValidationError({{{"body"},
                            "value is not a valid dict: send the body as application/json",
                            "type_error.dict"}});
  }
  if (req.body.empty())
    throw ValidationError({{{"body"}, "field required", "value_error.missing"}});
  Json body = Json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) throw HttpError(400, "There was an error parsing the body as JSON");
  if (!body.is_object()) {
    throw ValidationError({{{"body"}, "value is not a valid dict", "type_error.dict"}});
  }
  validate(schema, body);
  return body;
}

std::optional<std::string> text_or_null(const Json& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

NullableUpdate nullable_update(const Json& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  return text_or_null(body, name);
}

Page Page::from(const http::Request& req) {
  std::vector<FieldError> errors;
  auto read = [&](const Param& param) {
    auto text = req.query_param(param.name);
    if (!text) return param.fallback;
    std::vector<std::string> loc{"query", std::string(param.name)};
    auto value = parse_integer(*text);
    if (!value) {
      errors.push_back(not_an_integer(loc));
    } else if (*value < param.min) {
      errors.push_back({loc,
                        fmt::format("ensure this value is greater than or equal to {}", param.min),
                        "value_error.number.not_ge"});
    } else if (*value > param.max) {
      errors.push_back({loc,
                        fmt::format("ensure this value is less than or equal to {}", param.max),
                        "value_error.number.not_le"});
    }
    return value.value_or(param.fallback);
  };
  Page page{read(kLimit), read(kOffset)};
  if (!errors.empty()) throw ValidationError(errors);
  return page;
}

std::int64_t path_id(const http::Request& req, const Param& param) {
  auto id = req.path_params.empty() ? std::nullopt : parse_integer(req.path_params.front());
  if (!id) throw ValidationError({not_an_integer({"path", std::string(param.name)})});
  return *id;
}

}  // namespace backend::api
