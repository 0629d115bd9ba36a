// /items: as /users, plus the owner, which must exist.
#include <fmt/format.h>

#include <strata/core/error.hpp>

#include "app/api/crud.hpp"
#include "app/api/routes.hpp"

namespace backend::api {
namespace {

using models::Item;

const Resource kItem{"Item", "item_id"};
constexpr const char* kItemPath = R"(/items/([^/]+))";

// A valid item can violate one constraint only, its foreign key: the owner does not exist.
// Letting the database check it costs no extra query and has no race with a concurrent delete.
ValidationError unknown_owner(std::int64_t owner_id) {
  return ValidationError({{{"body", "owner_id"},
                           fmt::format("user {} does not exist", owner_id),
                           "value_error.foreign_key"}});
}

Reply create_item(const db::Database& database, const httplib::Request& req) {
  auto in = ItemCreate::from(json_object(req));
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

Reply update_item(const db::Database& database, const httplib::Request& req) {
  auto id = path_id(req, kItem.path_key);
  auto update = ItemUpdate::from(json_object(req));
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

void add_item_routes(httplib::Server& server, const db::Database& database) {
  const auto* db = &database;
  server.Get("/items", endpoint([db](const auto& req) { return list_page<Item>(*db, req); }));
  server.Post("/items", endpoint([db](const auto& req) { return create_item(*db, req); }));
  server.Get(kItemPath, endpoint([db](const auto& req) { return get_one<Item>(*db, req, kItem); }));
  server.Patch(kItemPath, endpoint([db](const auto& req) { return update_item(*db, req); }));
  server.Delete(kItemPath,
                endpoint([db](const auto& req) { return delete_one<Item>(*db, req, kItem); }));
}

}  // namespace backend::api
