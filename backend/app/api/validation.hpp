// Reading requests: the JSON body, the page of a list and the id in a path. Every problem
// becomes a FieldError naming where it is, and all of a request's problems are reported together
// in one 422, as FastAPI does.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/api/errors.hpp"
#include "app/api/schema.hpp"
#include "app/http/message.hpp"

namespace backend::api {

// The body as a JSON object, checked against `schema`. Throws ValidationError when the
// Content-Type is not JSON, or the body is not an object or fails the schema; HttpError 400
// when it is not JSON at all.
nlohmann::ordered_json json_body(const http::Request& req, const Schema& schema);

// A string field of a validated body: absent and null are both nullopt.
std::optional<std::string> text_or_null(const nlohmann::ordered_json& body, std::string_view name);
// A PATCH's field that may be set to null: absent (no change), null, or a value.
using NullableUpdate = std::optional<std::optional<std::string>>;
NullableUpdate nullable_update(const nlohmann::ordered_json& body, std::string_view name);

// ?limit=&offset= of a list: limit 1 to 1000, 100 by default; offset from 0.
inline const Param kLimit{"limit", "query", 1, 1000, 100};
inline const Param kOffset{"offset", "query", 0, INT64_MAX, 0};

struct Page {
  std::int64_t limit = kLimit.fallback;
  std::int64_t offset = kOffset.fallback;

  // Throws ValidationError naming the query parameter.
  static Page from(const http::Request& req);
};

// The integer the route's {placeholder} matched; ValidationError at ["path", name] otherwise.
std::int64_t path_id(const http::Request& req, const Param& param);

}  // namespace backend::api
