// /users: validate, run one session, shape the reply. Listing, reading and deleting are the
// generic handlers of crud.hpp; creating and updating know about the unique email.
#include <strata/core/error.hpp>

#include "app/api/crud.hpp"
#include "app/api/routes.hpp"

namespace backend::api {
namespace {

using models::User;

const Resource kUser{"User", {"user_id", "path"}};
// Any segment, not only digits: a non-integer id is a 422 naming the field, as in FastAPI.
constexpr std::string_view kUserPath = "/users/{user_id}";

// The only constraint a valid user can violate is the unique email.
HttpError email_taken() {
  return HttpError(409, "A user with this email already exists");
}

Reply create_user(const db::Database& database, const http::Request& req) {
  auto in = UserCreate::from(req);
  try {
    return database.sessions().scope([&](strata::Session& session) {
      auto& user = session.add(User{.email = in.email, .name = in.name});
      session.flush();  // fills in user.id and user.created_at
      return Reply{201, to_json(user)};
    });
  } catch (const strata::IntegrityError&) {
    throw email_taken();
  }
}

Reply update_user(const db::Database& database, const http::Request& req) {
  auto id = path_id(req, kUser.id);
  auto update = UserUpdate::from(req);
  try {
    return database.sessions().scope([&](strata::Session& session) {
      auto& user = find_or_404<User>(session, id, kUser);
      update.apply_to(user);
      session.flush();  // UPDATEs the changed columns only, if any
      return Reply{200, to_json(user)};
    });
  } catch (const strata::IntegrityError&) {
    throw email_taken();
  }
}

}  // namespace

std::vector<Operation> user_operations(const db::Database& database) {
  const auto* db = &database;
  const Param* id = &kUser.id;
  return {
      {.method = "GET",
       .path = "/users",
       .operation_id = "list_users",
       .summary = "List users in id order",
       .tag = "users",
       .params = {&kLimit, &kOffset},
       .result = &kUserSchema,
       .list = true,
       .handler = [db](const auto& req) { return list_page<User>(*db, req); }},
      {.method = "POST",
       .path = "/users",
       .operation_id = "create_user",
       .summary = "Create a user",
       .tag = "users",
       .body = &kUserCreateSchema,
       .status = 201,
       .result = &kUserSchema,
       .extra_errors = {409},
       .handler = [db](const auto& req) { return create_user(*db, req); }},
      {.method = "GET",
       .path = kUserPath,
       .operation_id = "read_user",
       .summary = "Read a user",
       .tag = "users",
       .params = {id},
       .result = &kUserSchema,
       .handler = [db](const auto& req) { return get_one<User>(*db, req, kUser); }},
      {.method = "PATCH",
       .path = kUserPath,
       .operation_id = "update_user",
       .summary = "Change a user's fields",
       .tag = "users",
       .params = {id},
       .body = &kUserUpdateSchema,
       .result = &kUserSchema,
       .extra_errors = {409},
       .handler = [db](const auto& req) { return update_user(*db, req); }},
      // The user's items go with it: the foreign key cascades in the database.
      {.method = "DELETE",
       .path = kUserPath,
       .operation_id = "delete_user",
       .summary = "Delete a user and their items",
       .tag = "users",
       .params = {id},
       .status = 204,
       .handler = [db](const auto& req) { return delete_one<User>(*db, req, kUser); }},
  };
}

}  // namespace backend::api
