// The HTTP API end to end, on SQLite and PostgreSQL: the built binary, migrated by `backend db
// upgrade head`, driven over loopback.
#include <fmt/format.h>
#include <unistd.h>

#include "backend/backend_fixture.hpp"

namespace strata::test {
namespace {

using nlohmann::json;

class BackendApi : public BackendTest {};

// What a 422 says about one field: {"loc": [...], "msg": ..., "type": ...}.
json field_error(const Answer& answer, const std::vector<std::string>& loc) {
  if (!answer.json.is_object() || !answer.json.contains("detail")) return nullptr;
  for (const auto& e : answer.json["detail"]) {
    if (e["loc"] == json(loc)) return e;
  }
  return nullptr;
}

// Error bodies are {"detail": ...} and never show SQL, driver names or constraint names.
void expect_clean_error(const Answer& answer) {
  ASSERT_TRUE(answer.json.is_object()) << answer.text;
  EXPECT_EQ(answer.json.size(), 1U) << answer.text;
  EXPECT_TRUE(answer.json.contains("detail")) << answer.text;
  for (const char* leak : {"INSERT", "SELECT", "UPDATE", "DELETE", "sqlite", "SQLITE", "postgres",
                           "constraint", "strata", "SQL", "users.", "items."}) {
    EXPECT_EQ(answer.text.find(leak), std::string::npos) << leak << " in " << answer.text;
  }
}

TEST_P(BackendApi, CreateReadUpdateDelete) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  auto client = server->client();

  // Unknown fields are ignored.
  auto ann = call(*client, "POST", "/users",
                  json{{"email", "ann@example.com"}, {"name", "Ann"}, {"role", "admin"}});
  ASSERT_EQ(ann.status, 201) << ann.text;
  auto user_id = ann.json["id"].get<std::int64_t>();
  EXPECT_GT(user_id, 0);
  EXPECT_EQ(ann.json["email"], "ann@example.com");
  EXPECT_EQ(ann.json["name"], "Ann");
  EXPECT_FALSE(ann.json.contains("role"));
  auto created_at = ann.json["created_at"].get<std::string>();
  EXPECT_EQ(created_at[10], 'T') << created_at;
  EXPECT_TRUE(created_at.ends_with("+00:00")) << created_at;
  EXPECT_EQ(call(*client, "GET", fmt::format("/users/{}", user_id)).json, ann.json);

  auto item = call(*client, "POST", "/items", json{{"title", "hello"}, {"owner_id", user_id}});
  ASSERT_EQ(item.status, 201) << item.text;
  auto item_id = item.json["id"].get<std::int64_t>();
  EXPECT_EQ(item.json["title"], "hello");
  EXPECT_TRUE(item.json["description"].is_null());
  EXPECT_EQ(item.json["owner_id"], user_id);
  auto item_path = fmt::format("/items/{}", item_id);
  EXPECT_EQ(call(*client, "GET", item_path).json, item.json);

  // PATCH changes the fields given, and only those; null clears a nullable field.
  auto patched = call(*client, "PATCH", item_path, json{{"description", "world"}});
  ASSERT_EQ(patched.status, 200) << patched.text;
  EXPECT_EQ(patched.json["title"], "hello");
  EXPECT_EQ(patched.json["description"], "world");
  EXPECT_EQ(call(*client, "GET", item_path).json["description"], "world");
  EXPECT_TRUE(call(*client, "PATCH", item_path, json{{"description", nullptr}})
                  .json["description"]
                  .is_null());
  EXPECT_EQ(call(*client, "PATCH", item_path, json::object()).json["title"], "hello");
  auto renamed = call(*client, "PATCH", fmt::format("/users/{}", user_id),
                      json{{"name", nullptr}, {"email", "ann@example.org"}});
  ASSERT_EQ(renamed.status, 200) << renamed.text;
  EXPECT_TRUE(renamed.json["name"].is_null());
  EXPECT_EQ(renamed.json["email"], "ann@example.org");

  // Lists come in id order, paged by limit and offset.
  std::vector<std::int64_t> ids{item_id};
  for (int i = 0; i < 3; ++i) {
    auto more = call(*client, "POST", "/items",
                     json{{"title", fmt::format("item {}", i)}, {"owner_id", user_id}});
    ids.push_back(more.json["id"].get<std::int64_t>());
  }
  auto all = call(*client, "GET", "/items");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(all.json.size(), 4U);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(all.json[i]["id"], ids[i]);
  auto page = call(*client, "GET", "/items?limit=2&offset=1");
  ASSERT_EQ(page.json.size(), 2U);
  EXPECT_EQ(page.json[0]["id"], ids[1]);
  EXPECT_EQ(page.json[1]["id"], ids[2]);
  EXPECT_EQ(call(*client, "GET", "/users").json.size(), 1U);

  auto deleted = call(*client, "DELETE", item_path);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.text.empty());
  EXPECT_EQ(call(*client, "GET", item_path).status, 404);

  // Deleting the user deletes its items: the foreign key cascades.
  EXPECT_EQ(call(*client, "DELETE", fmt::format("/users/{}", user_id)).status, 204);
  EXPECT_EQ(call(*client, "GET", fmt::format("/users/{}", user_id)).status, 404);
  EXPECT_EQ(call(*client, "GET", "/items").json, json::array());
  client.reset();  // see BackendServer::stop
  EXPECT_EQ(server->stop(), 0) << server->log();
}

TEST_P(BackendApi, ValidationErrorsNameTheField) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  auto client = server->client();
  auto owner = create_user(*client, "owner@example.com");

  // Every failing field is reported at once.
  auto empty = call(*client, "POST", "/items", json::object());
  ASSERT_EQ(empty.status, 422) << empty.text;
  EXPECT_EQ(field_error(empty, {"body", "title"}), (json{{"loc", {"body", "title"}},
                                                         {"msg", "field required"},
                                                         {"type", "value_error.missing"}}));
  EXPECT_FALSE(field_error(empty, {"body", "owner_id"}).is_null());

  auto blank = call(*client, "POST", "/items", json{{"title", ""}, {"owner_id", owner}});
  EXPECT_EQ(blank.status, 422);
  EXPECT_EQ(field_error(blank, {"body", "title"})["type"], "value_error.any_str.min_length");
  auto long_title =
      call(*client, "POST", "/items", json{{"title", std::string(201, 'x')}, {"owner_id", owner}});
  EXPECT_EQ(field_error(long_title, {"body", "title"})["msg"],
            "ensure this value has at most 200 characters");
  // Characters, not bytes: 200 two-byte characters fit in string(200).
  std::string accents;
  for (int i = 0; i < 200; ++i) accents += "\xC3\xA9";
  EXPECT_EQ(call(*client, "POST", "/items", json{{"title", accents}, {"owner_id", owner}}).status,
            201);

  auto wrong_types = call(*client, "POST", "/items", json{{"title", 5}, {"owner_id", "7"}});
  EXPECT_EQ(field_error(wrong_types, {"body", "title"})["type"], "type_error.str");
  EXPECT_EQ(field_error(wrong_types, {"body", "owner_id"})["type"], "type_error.integer");

  auto no_owner = call(*client, "POST", "/items", json{{"title", "orphan"}, {"owner_id", 999'999}});
  ASSERT_EQ(no_owner.status, 422) << no_owner.text;
  EXPECT_EQ(field_error(no_owner, {"body", "owner_id"})["msg"], "user 999999 does not exist");
  expect_clean_error(no_owner);

  for (const char* email : {"no-at-sign", "two@at@signs", "@example.com", "ann@"}) {
    auto bad = call(*client, "POST", "/users", json{{"email", email}});
    EXPECT_EQ(bad.status, 422) << email;
    EXPECT_EQ(field_error(bad, {"body", "email"})["type"], "value_error.email") << email;
  }

  auto item = call(*client, "POST", "/items", json{{"title", "t"}, {"owner_id", owner}});
  auto item_path = fmt::format("/items/{}", item.json["id"].get<std::int64_t>());
  auto null_title = call(*client, "PATCH", item_path, json{{"title", nullptr}});
  EXPECT_EQ(field_error(null_title, {"body", "title"})["type"], "type_error.none.not_allowed");
  auto moved = call(*client, "PATCH", item_path, json{{"owner_id", 999'999}});
  EXPECT_FALSE(field_error(moved, {"body", "owner_id"}).is_null()) << moved.text;
  EXPECT_EQ(call(*client, "GET", item_path).json["owner_id"], owner);

  EXPECT_EQ(field_error(call(*client, "GET", "/items?limit=1001"), {"query", "limit"})["type"],
            "value_error.number.not_le");
  EXPECT_EQ(field_error(call(*client, "GET", "/items?limit=0"), {"query", "limit"})["type"],
            "value_error.number.not_ge");
  EXPECT_FALSE(field_error(call(*client, "GET", "/users?limit=ten"), {"query", "limit"}).is_null());
  EXPECT_FALSE(
      field_error(call(*client, "GET", "/users?offset=-1"), {"query", "offset"}).is_null());
  EXPECT_EQ(call(*client, "GET", "/items?limit=1000").status, 200);
  EXPECT_FALSE(field_error(call(*client, "GET", "/items/abc"), {"path", "item_id"}).is_null());
  EXPECT_FALSE(field_error(call(*client, "GET", "/users/1.5"), {"path", "user_id"}).is_null());
  EXPECT_FALSE(field_error(send_raw(*client, "POST", "/users", "[1, 2]"), {"body"}).is_null());
  EXPECT_FALSE(field_error(send_raw(*client, "POST", "/users", ""), {"body"}).is_null());
}

TEST_P(BackendApi, ErrorStatuses) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  auto client = server->client();
  create_user(*client, "ann@example.com");
  auto bob = create_user(*client, "bob@example.com");

  auto malformed = send_raw(*client, "POST", "/users", R"({"email": "x@y")");
  EXPECT_EQ(malformed.status, 400);
  expect_clean_error(malformed);

  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/users/999999"},
                                                        {"PATCH", "/users/999999"},
                                                        {"DELETE", "/users/999999"},
                                                        {"GET", "/items/999999"},
                                                        {"PATCH", "/items/999999"},
                                                        {"DELETE", "/items/999999"},
                                                        {"GET", "/no/such/route"}}) {
    auto missing = call(*client, method, path, json::object());
    EXPECT_EQ(missing.status, 404) << method << " " << path;
    expect_clean_error(missing);
  }
  EXPECT_EQ(call(*client, "GET", "/users/999999").json["detail"], "User not found");

  auto taken = call(*client, "POST", "/users", json{{"email", "ann@example.com"}});
  EXPECT_EQ(taken.status, 409);
  expect_clean_error(taken);
  auto bob_path = fmt::format("/users/{}", bob);
  EXPECT_EQ(call(*client, "PATCH", bob_path, json{{"email", "ann@example.com"}}).status, 409);
  EXPECT_EQ(call(*client, "GET", bob_path).json["email"], "bob@example.com");

  auto huge =
      call(*client, "POST", "/items",
           json{{"title", "big"}, {"description", std::string(1 << 20, 'x')}, {"owner_id", bob}});
  EXPECT_EQ(huge.status, 413);
  expect_clean_error(huge);
  // The connection and the server carry on.
  EXPECT_EQ(call(*client, "GET", bob_path).status, 200);
  EXPECT_EQ(call(*client, "GET", "/users").json.size(), 2U);
}

// While the database refuses work, requests answer 503 without details; once it is back,
// the same server serves again.
TEST_P(BackendApi, DatabaseUnavailableIs503) {
  auto admin = make_engine();
  std::string role = "backend_app_" + std::to_string(::getpid());
  if (is_sqlite()) {
    // A writer holding the lock longer than the server's busy_timeout.
    write_config(app_url("busy_timeout=50"));
  } else {
    // The server logs in as its own role, which the test then locks out.
    auto conn = admin.connect();
    conn.execute_script(
        fmt::format("DROP ROLE IF EXISTS {0}; CREATE ROLE {0} LOGIN SUPERUSER", role));
    auto pg = Url::parse(url());
    write_config(fmt::format("postgresql://{}@{}:{}/{}?application_name={}&pool_pre_ping=on", role,
                             pg.host(), *pg.port(), pg.database(), kApplicationName));
  }
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  auto client = server->client();
  auto owner = create_user(*client, "ann@example.com");
  json item{{"title", "t"}, {"owner_id", owner}};
  {
    auto conn = admin.connect();
    std::optional<Transaction> lock;
    if (is_sqlite()) {
      lock.emplace(conn.begin_immediate());
    } else {
      conn.execute_script(fmt::format(
          "ALTER ROLE {0} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE usename = '{0}'",
          role));
    }
    auto refused = call(*client, "POST", "/items", item);
    EXPECT_EQ(refused.status, 503) << refused.text;
    EXPECT_EQ(refused.json, (json{{"detail", "Database unavailable"}}));
    if (!is_sqlite()) {
      EXPECT_EQ(call(*client, "GET", "/users").status, 503);
      auto health = call(*client, "GET", "/health");
      EXPECT_EQ(health.status, 503);
      EXPECT_EQ(health.json["status"], "unavailable");
      EXPECT_EQ(health.json["database"], "unreachable");
      conn.execute_script(fmt::format("ALTER ROLE {} LOGIN", role));
    }
  }
  EXPECT_EQ(call(*client, "POST", "/items", item).status, 201);
  EXPECT_EQ(call(*client, "GET", "/health").status, 200);
  client.reset();
  EXPECT_EQ(server->stop(), 0);
  if (!is_sqlite())
    admin.connect().execute_script(fmt::format("DROP OWNED BY {0}; DROP ROLE {0}", role));
}

STRATA_ON_BOTH_BACKENDS(BackendApi);

}  // namespace
}  // namespace strata::test
