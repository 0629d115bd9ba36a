// /items: as /users, plus the owner, which must exist.
#include <fmt/format.h>

#include <strata/core/error.hpp>

#include "app/api/crud.hpp"
#include "app/api/routes.hpp"

namespace backend::api {
namespace {

using models::Item;

const Resource kItem{"Item", {"item_id", "path"}};
constexpr std::string_view kItemPath = "/items/{item_id}";

// A valid item can violate one constraint only, its foreign key: the owner does not exist.
// Letting the database check it costs no extra query and has no race with a concurrent delete.
ValidationError unknown_owner(std::int64_t owner_id) {
  return ValidationError({{{"body", "owner_id"},
                           fmt::format("user {} does not exist", owner_id),
                           "value_error.foreign_key"}});
}

Reply create_item(const db::Database& database, const http::Request& req) {
  auto in = ItemCreate::from(req);
  try {
    return database.sessions().scope([&](strata::Session& session) {
      auto& item = session.add(
          Item{.title = in.title, .description = in.description, .owner_id = in.owner_id});
      session.flush();  // fills in item.id and item.created_at
      return Reply{201, to_json(item)};
    });
  } catch (const strata::IntegrityError&) {
    throw unknown_owner(in.owner_id);
  }
}

Reply update_item(const db::Database& database, const http::Request& req) {
  auto id = path_id(req, kItem.id);
  auto update = ItemUpdate::from(req);
  try {
    return database.sessions().scope([&](strata::Session& session) {
      auto& item = find_or_404<Item>(session, id, kItem);
      update.apply_to(item);
      session.flush();
      return Reply{200, to_json(item)};
    });
  } catch (const strata::IntegrityError&) {
    throw unknown_owner(update.owner_id.value_or(0));
  }
}

}  // namespace

std::vector<Operation> item_operations(const db::Database& database) {
  const auto* db = &database;
  const Param* id = &kItem.id;
  return {
      {.method = "GET",
       .path = "/items",
       .operation_id = "list_items",
       .summary = "List items in id order",
       .tag = "items",
       .params = {&kLimit, &kOffset},
       .result = &kItemSchema,
       .list = true,
       .handler = [db](const auto& req) { return list_page<Item>(*db, req); }},
      {.method = "POST",
       .path = "/items",
       .operation_id = "create_item",
       .summary = "Create an item of an existing user",
       .tag = "items",
       .body = &kItemCreateSchema,
       .status = 201,
       .result = &kItemSchema,
       .handler = [db](const auto& req) { return create_item(*db, req); }},
      {.method = "GET",
       .path = kItemPath,
       .operation_id = "read_item",
       .summary = "Read an item",
       .tag = "items",
       .params = {id},
       .result = &kItemSchema,
       .handler = [db](const auto& req) { return get_one<Item>(*db, req, kItem); }},
      {.method = "PATCH",
       .path = kItemPath,
       .operation_id = "update_item",
       .summary = "Change an item's fields",
       .tag = "items",
       .params = {id},
       .body = &kItemUpdateSchema,
       .result = &kItemSchema,
       .handler = [db](const auto& req) { return update_item(*db, req); }},
      {.method = "DELETE",
       .path = kItemPath,
       .operation_id = "delete_item",
       .summary = "Delete an item",
       .tag = "items",
       .params = {id},
       .status = 204,
       .handler = [db](const auto& req) { return delete_one<Item>(*db, req, kItem); }},
  };
}

}  // namespace backend::api
