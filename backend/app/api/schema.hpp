// The shapes that go over the wire, declared once as values: request validation reads them,
// and so does the OpenAPI document (openapi.hpp). Changing a limit here changes both.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace backend::api {

enum class Type { string, integer, boolean, timestamp };

// A field of a JSON object. In a request, `required` means it must be present; in a response
// every field is always there.
struct Field {
  std::string_view name;
  Type type = Type::string;
  bool required = false;
  bool nullable = false;
  int min_length = 0;  // strings, in characters (UTF-8 code points), as string(n) counts them
  int max_length = 0;  // 0: no limit beyond the body's size
  bool email = false;  // one '@' with text on both sides
};

// A named JSON object: components/schemas/<name> in the OpenAPI document.
struct Schema {
  std::string_view name;
  std::string_view description;
  std::vector<Field> fields;
};

// An integer query or path parameter.
struct Param {
  std::string_view name;
  std::string_view in;  // "query" or "path"
  std::int64_t min = INT64_MIN;
  std::int64_t max = INT64_MAX;
  std::int64_t fallback = 0;  // a query parameter's default
};

// Checks `body` against `schema`; throws ValidationError listing every field that failed, as
// FastAPI reports them. Unknown fields are ignored.
void validate(const Schema& schema, const nlohmann::ordered_json& body);

}  // namespace backend::api
