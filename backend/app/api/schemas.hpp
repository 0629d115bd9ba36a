// What goes over the wire, as FastAPI apps keep their pydantic schemas apart from their
// models: the validated input of each write (checked against shapes.hpp), and the JSON of each
// model.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/api/shapes.hpp"
#include "app/api/validation.hpp"
#include "app/models/item.hpp"
#include "app/models/user.hpp"

namespace backend::api {

// POST /users {"email", "name"?}
struct UserCreate {
  std::string email;
  std::optional<std::string> name;
  static UserCreate from(const http::Request& req);
};

// PATCH /users/{id}: any of email, name (null clears it).
struct UserUpdate {
  std::optional<std::string> email;
  NullableUpdate name;
  static UserUpdate from(const http::Request& req);
  void apply_to(models::User& user) const;
};

// POST /items {"title", "description"?, "owner_id"}
struct ItemCreate {
  std::string title;
  std::optional<std::string> description;
  std::int64_t owner_id = 0;
  static ItemCreate from(const http::Request& req);
};

// PATCH /items/{id}: any of title, description (null clears it), owner_id.
struct ItemUpdate {
  std::optional<std::string> title;
  NullableUpdate description;
  std::optional<std::int64_t> owner_id;
  static ItemUpdate from(const http::Request& req);
  void apply_to(models::Item& item) const;
};

nlohmann::ordered_json to_json(const models::User& user);
nlohmann::ordered_json to_json(const models::Item& item);

}  // namespace backend::api
