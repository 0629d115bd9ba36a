// The service's routes, each declared once with what the OpenAPI document says of it. Each
// handler runs in one session (SessionFactory::scope): committed when it returns, rolled back
// when it throws, its connection back in the pool either way.
#pragma once

#include <string_view>
#include <vector>

#include "app/api/endpoint.hpp"
#include "app/api/schema.hpp"
#include "app/db/session.hpp"

namespace backend::api {

// One method on one path. A value; the handler holds a pointer to the Database, which must
// outlive it.
struct Operation {
  std::string_view method;        // "GET"
  std::string_view path;          // "/items/{item_id}"
  std::string_view operation_id;  // "read_item"
  std::string_view summary;
  std::string_view tag;                  // "items"
  std::vector<const Param*> params;      // query and path parameters
  const Schema* body = nullptr;          // the JSON request body, if it takes one
  int status = 200;                      // on success
  const Schema* result = nullptr;        // the success body; none with 204
  bool list = false;                     // the success body is an array of `result`
  std::vector<int> extra_errors;         // statuses beyond those its shape implies (409)
  bool result_when_unavailable = false;  // its 503 carries `result` too, not {"detail"}
  Handler handler;
};

// GET /health: the database's state and its revision against the migrations' head.
std::vector<Operation> health_operations(const db::Database& database);
// /users and /users/{user_id}: list, create, get, update, delete.
std::vector<Operation> user_operations(const db::Database& database);
// /items and /items/{item_id}: the same for items.
std::vector<Operation> item_operations(const db::Database& database);

inline std::vector<Operation> operations(const db::Database& database) {
  std::vector<Operation> all;
  for (auto* group : {&health_operations, &user_operations, &item_operations}) {
    for (auto& operation : (*group)(database)) all.push_back(std::move(operation));
  }
  return all;
}

}  // namespace backend::api
