// The service's routes. Each handler runs in one session (SessionFactory::scope): committed when
// it returns, rolled back when it throws, its connection back in the pool either way.
#pragma once

#include <httplib.h>

#include "app/db/session.hpp"

namespace backend::api {

// GET /health: the database's state and its revision against the migrations' head.
void add_health_routes(httplib::Server& server, const db::Database& database);
// /users and /users/{id}: list, create, get, update, delete.
void add_user_routes(httplib::Server& server, const db::Database& database);
// /items and /items/{id}: the same for items.
void add_item_routes(httplib::Server& server, const db::Database& database);

inline void add_routes(httplib::Server& server, const db::Database& database) {
  add_health_routes(server, database);
  add_user_routes(server, database);
  add_item_routes(server, database);
}

}  // namespace backend::api
