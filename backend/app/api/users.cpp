// /users: validate, run one session, shape the reply. Listing, reading and deleting are the
// generic handlers of crud.hpp; creating and updating know about the unique email.
#include <strata/core/error.hpp>

#include "app/api/crud.hpp"
#include "app/api/routes.hpp"

namespace backend::api {
namespace {

using models::User;

const Resource kUser{"User", "user_id"};
// Any segment, not only digits: a non-integer id is a 422 naming the field, as in FastAPI.
constexpr const char* kUserPath = R"(/users/([^/]+))";

// The only constraint a valid user can violate is the unique email.
HttpError email_taken() {
  return HttpError(409, "A user with this email already exists");
}

Reply create_user(const db::Database& database, const httplib::Request& req) {
  auto in = UserCreate::from(json_object(req));
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

Reply update_user(const db::Database& database, const httplib::Request& req) {
  auto id = path_id(req, kUser.path_key);
  auto update = UserUpdate::from(json_object(req));
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

void add_user_routes(httplib::Server& server, const db::Database& database) {
  const auto* db = &database;
  server.Get("/users", endpoint([db](const auto& req) { return list_page<User>(*db, req); }));
  server.Post("/users", endpoint([db](const auto& req) { return create_user(*db, req); }));
  server.Get(kUserPath, endpoint([db](const auto& req) { return get_one<User>(*db, req, kUser); }));
  server.Patch(kUserPath, endpoint([db](const auto& req) { return update_user(*db, req); }));
  // The user's items go with it: the foreign key cascades in the database.
  server.Delete(kUserPath,
                endpoint([db](const auto& req) { return delete_one<User>(*db, req, kUser); }));
}

}  // namespace backend::api
