#include "service.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/api/errors.hpp"
#include "app/api/shapes.hpp"
#include "app/api/validation.hpp"
#include "app/http/cors.hpp"
#include "app/http/router.hpp"

namespace backend::fuzz {
namespace {

using Json = nlohmann::ordered_json;

// A resource's routes as users.cpp and items.cpp declare them.
struct Resource {
  std::string_view collection;  // "/users"
  std::string_view member;      // "/users/{user_id}"
  std::string name;             // "User": "User not found"
  api::Param id;
  const api::Schema* create;
  const api::Schema* update;
};

const std::array<Resource, 2> kResources{{
    {"/users",
     "/users/{user_id}",
     "User",
     {"user_id", "path"},
     &api::kUserCreateSchema,
     &api::kUserUpdateSchema},
    {"/items",
     "/items/{item_id}",
     "Item",
     {"item_id", "path"},
     &api::kItemCreateSchema,
     &api::kItemUpdateSchema},
}};

using Step = std::function<api::Reply(const http::Request&)>;

// api::endpoint without the database: an HttpError is the answer; anything else is a bug the
// real endpoint would turn into a 500, so it escapes to libFuzzer.
http::Handler endpoint(Step step) {
  return [step = std::move(step)](const http::Request& req) {
    api::Reply reply;
    try {
      reply = step(req);
    } catch (const api::HttpError& e) {
      reply = e.reply();
    }
    http::Response response;
    response.status = reply.status;
    if (!reply.body.is_null()) {
      response.body = reply.body.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    return response;
  };
}

api::Reply list(const http::Request& req) {
  auto page = api::Page::from(req);
  expect(page.limit >= api::kLimit.min && page.limit <= api::kLimit.max,
         "Page::from returned a limit outside 1..1000");
  expect(page.offset >= api::kOffset.min, "Page::from returned a negative offset");
  return {200, Json::array()};
}

// GET and DELETE of one object: nothing is stored, so every valid id is not found.
api::Reply one(const Resource& resource, const http::Request& req) {
  api::path_id(req, resource.id);
  throw api::not_found(resource.name);
}

api::Reply create(const Resource& resource, const http::Request& req) {
  read_back(*resource.create, api::json_body(req, *resource.create));
  return {201, {{"id", 1}}};
}

api::Reply update(const Resource& resource, const http::Request& req) {
  auto id = api::path_id(req, resource.id);
  read_back(*resource.update, api::json_body(req, *resource.update));
  return {200, {{"id", id}}};
}

// In the real server's order (server.cpp): health, users, items, then the documents.
http::Router make_router() {
  http::Router router;
  router.add("GET", "/health", endpoint([](const auto&) {
               return api::Reply{200, {{"status", "ok"}}};
             }));
  for (const auto& r : kResources) {
    router.add("GET", r.collection, endpoint(list));
    router.add("POST", r.collection, endpoint([&r](const auto& req) { return create(r, req); }));
    router.add("GET", r.member, endpoint([&r](const auto& req) { return one(r, req); }));
    router.add("PATCH", r.member, endpoint([&r](const auto& req) { return update(r, req); }));
    router.add("DELETE", r.member, endpoint([&r](const auto& req) { return one(r, req); }));
  }
  router.add("GET", "/openapi.json", endpoint([](const auto&) { return api::Reply{200, {}}; }));
  router.add("GET", "/docs", endpoint([](const auto&) { return api::Reply{200, {}}; }));
  return router;
}

bool splits_lines(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// What the connection writes must be one well-formed response: a request's bytes echoed into
// a header (the Origin) must not start a second one.
void check_response(const http::Response& response) {
  expect(response.status >= 100 && response.status <= 599, "a status outside 100..599");
  for (const auto& [name, value] : response.headers) {
    expect(!splits_lines(name) && !splits_lines(value), "a response header holds CR, LF or NUL");
  }
  expect(response.body.empty() || Json::accept(response.body), "a response body is not JSON");
}

// UTF-8 code points, as string(n) columns count them; the JSON parser rejected bad UTF-8.
std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void read_text(const api::Field& field, const std::string& text) {
  expect(text.find('\0') == std::string::npos, "validate let a NUL through");
  auto n = code_points(text);
  expect(n >= static_cast<std::size_t>(field.min_length), "validate let a short string through");
  expect(field.max_length == 0 || n <= static_cast<std::size_t>(field.max_length),
         "validate let a long string through");
  if (field.email) {
    auto at = text.find('@');
    expect(at != std::string::npos && at > 0 && at + 1 < text.size() && text.rfind('@') == at,
           "validate let an email without one inner '@' through");
  }
  // A strict dump throws on bad UTF-8: what the database stores must be valid.
  Json(text).dump();
}

void read_field(const api::Field& field, const Json& body) {
  const Json& value = body.at(std::string(field.name));
  switch (field.type) {
    case api::Type::integer:
      expect(value.dump() == std::to_string(value.get<std::int64_t>()),
             "validate let an integer through that does not read back as int64");
      return;
    case api::Type::boolean:
      value.get<bool>();
      return;
    case api::Type::string:
    case api::Type::timestamp:
      read_text(field, api::text_or_null(body, field.name).value());
      expect(api::nullable_update(body, field.name).has_value(), "nullable_update lost a value");
      return;
  }
}

}  // namespace

void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz: invariant broken: %s\n", what);
  std::abort();
}

http::Response answer(http::Request& request) {
  static const http::Router router = make_router();
  static const http::Cors cors({"https://app.example"});
  auto response = http::dispatch(router, cors, request);
  check_response(response);
  return response;
}

void read_back(const api::Schema& schema, const Json& body) {
  expect(body.is_object(), "json_body returned a body that is not an object");
  for (const auto& field : schema.fields) {
    auto it = body.find(field.name);
    if (it == body.end()) {
      expect(!field.required, "validate let a missing required field through");
    } else if (it->is_null()) {
      expect(field.nullable, "validate let null through a field that is not nullable");
      expect(!api::text_or_null(body, field.name), "text_or_null read a value from null");
    } else {
      read_field(field, body);
    }
  }
}

const std::array<const api::Schema*, 7>& all_schemas() {
  static const std::array<const api::Schema*, 7> schemas{
      &api::kUserCreateSchema, &api::kUserUpdateSchema, &api::kUserSchema,  &api::kItemCreateSchema,
      &api::kItemUpdateSchema, &api::kItemSchema,       &api::kHealthSchema};
  return schemas;
}

}  // namespace backend::fuzz
