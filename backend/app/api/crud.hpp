// The handlers that are the same for every resource: list a page, get one, delete one. Each
// runs in one session; T is a model with an integer primary key `id` and a to_json overload.
// Creates and updates differ per resource and live in its own file.
#pragma once

#include <strata/orm/session.hpp>
#include <string>

#include "app/api/endpoint.hpp"
#include "app/api/schemas.hpp"
#include "app/api/validation.hpp"
#include "app/db/session.hpp"

namespace backend::api {

// How a resource is named in paths and messages: {"User", user_id}.
struct Resource {
  std::string name;  // "User": "User not found"
  Param id;          // the path's {user_id}, where a bad id is reported
};

// GET /things?limit=&offset=: a page in id order, from a read replica when there is one.
template <class T>
Reply list_page(const db::Database& database, const http::Request& req) {
  Page page = Page::from(req);
  return database.sessions().read_scope([&](strata::Session& session) {
    auto list = nlohmann::ordered_json::array();
    for (const T* object : session.select<T>()
                               .order_by(strata::col(&T::id))
                               .limit(page.limit)
                               .offset(page.offset)
                               .all()) {
      list.push_back(to_json(*object));
    }
    return Reply{200, std::move(list)};
  });
}

// The object the path names, loaded in `session`; 404 when there is none.
template <class T>
T& find_or_404(strata::Session& session, std::int64_t id, const Resource& resource) {
  T* object = session.get<T>(id);
  if (object == nullptr) throw not_found(resource.name);
  return *object;
}

// GET /things/{id}, from a read replica when there is one.
template <class T>
Reply get_one(const db::Database& database, const http::Request& req, const Resource& resource) {
  auto id = path_id(req, resource.id);
  return database.sessions().read_scope([&](strata::Session& session) {
    return Reply{200, to_json(find_or_404<T>(session, id, resource))};
  });
}

// DELETE /things/{id}: 204. What the database cascades to goes too, without being loaded.
template <class T>
Reply delete_one(const db::Database& database, const http::Request& req, const Resource& resource) {
  auto id = path_id(req, resource.id);
  return database.sessions().scope([&](strata::Session& session) {
    session.remove(find_or_404<T>(session, id, resource));
    return Reply{204, nullptr};
  });
}

}  // namespace backend::api
