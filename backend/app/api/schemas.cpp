#include "app/api/schemas.hpp"

#include <strata/core/datetime.hpp>

namespace backend::api {
namespace {

using Json = nlohmann::ordered_json;

Json nullable(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

std::optional<std::int64_t> integer_or_none(const Json& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

UserCreate UserCreate::from(const http::Request& req) {
  auto body = json_body(req, kUserCreateSchema);
  return {body["email"].get<std::string>(), text_or_null(body, "name")};
}

UserUpdate UserUpdate::from(const http::Request& req) {
  auto body = json_body(req, kUserUpdateSchema);
  return {text_or_null(body, "email"), nullable_update(body, "name")};
}

void UserUpdate::apply_to(models::User& user) const {
  if (email) user.email = *email;
  if (name) user.name = *name;
}

ItemCreate ItemCreate::from(const http::Request& req) {
  auto body = json_body(req, kItemCreateSchema);
  return {body["title"].get<std::string>(), text_or_null(body, "description"),
          body["owner_id"].get<std::int64_t>()};
}

ItemUpdate ItemUpdate::from(const http::Request& req) {
  auto body = json_body(req, kItemUpdateSchema);
  return {text_or_null(body, "title"), nullable_update(body, "description"),
          integer_or_none(body, "owner_id")};
}

void ItemUpdate::apply_to(models::Item& item) const {
  if (title) item.title = *title;
  if (description) item.description = *description;
  if (owner_id) item.owner_id = *owner_id;
}

Json to_json(const models::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", nullable(user.name)},
          {"created_at", strata::to_iso8601(user.created_at)}};
}

Json to_json(const models::Item& item) {
  return {{"id", item.id},
          {"title", item.title},
          {"description", nullable(item.description)},
          {"owner_id", item.owner_id},
          {"created_at", strata::to_iso8601(item.created_at)}};
}

}  // namespace backend::api
