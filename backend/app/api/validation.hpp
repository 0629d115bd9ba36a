// Reading requests: the JSON body, its fields, the page of a list and the id in a path. Every
// problem becomes a FieldError naming where it is, and all of a request's problems are reported
// together in one 422, as FastAPI does. Unknown body fields are ignored.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/api/endpoint.hpp"

namespace backend::api {

// The body as a JSON object. Throws HttpError 400 when it is not JSON, ValidationError when it
// is JSON but not an object (or empty).
nlohmann::ordered_json json_object(const httplib::Request& req);

// A length in characters (UTF-8 code points), as the database's string(n) counts it.
struct Length {
  int min = 0;
  int max = 0;
};

// A field of a PATCH that may be set to null: absent (no change), null, or a value.
using NullableUpdate = std::optional<std::optional<std::string>>;

// Reads the fields of one JSON object, collecting errors; check() throws them all at once.
// Not thread-safe; one per request.
class BodyReader {
 public:
  explicit BodyReader(const nlohmann::ordered_json& object) : object_(object) {}

  // A string that must be present and not null.
  std::optional<std::string> required_text(std::string_view field, Length length);
  // A string that may be absent (nullopt) but not null: a NOT NULL column in a PATCH.
  std::optional<std::string> optional_text(std::string_view field, Length length);
  // A string that may be absent or null.
  NullableUpdate nullable_text(std::string_view field, Length length);
  std::optional<std::int64_t> required_integer(std::string_view field);
  std::optional<std::int64_t> optional_integer(std::string_view field);
  // One `@` with text on both sides; records an error otherwise.
  void check_email(std::string_view field, const std::optional<std::string>& value);

  // Throws ValidationError when any field failed.
  void check() const;

 private:
  const nlohmann::ordered_json* find(std::string_view field, bool required);
  std::optional<std::string> text(std::string_view field, const nlohmann::ordered_json& value,
                                  Length length);
  std::optional<std::int64_t> integer(std::string_view field, const nlohmann::ordered_json* value);
  void fail(std::string_view field, std::string msg, std::string type);

  const nlohmann::ordered_json& object_;
  std::vector<FieldError> errors_;
};

// ?limit=&offset= of a list: limit 1 to 1000, 100 by default; offset from 0.
struct Page {
  static constexpr std::int64_t kDefaultLimit = 100;
  static constexpr std::int64_t kMaxLimit = 1000;

  std::int64_t limit = kDefaultLimit;
  std::int64_t offset = 0;

  // Throws ValidationError naming the query parameter.
  static Page from(const httplib::Request& req);
};

// The integer id the route's pattern captured; ValidationError at ["path", name] otherwise.
std::int64_t path_id(const httplib::Request& req, const std::string& name);

}  // namespace backend::api
