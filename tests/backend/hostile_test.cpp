// What the service answers to requests no well-behaved client sends, on SQLite and PostgreSQL:
// ambiguous framing, oversized heads and bodies, missing lengths, half-closes, pipelining,
// methods a path does not take, bodies that are not JSON or hold NUL, and CORS. Raw sockets,
// so that every byte on the wire is the test's choice.
#include <fmt/format.h>
#include <strings.h>

#include <regex>
#include <set>

#include "backend/backend_fixture.hpp"
#include "backend/raw_http.hpp"

namespace strata::test {
namespace {

using nlohmann::json;

class BackendHostile : public BackendTest {};

constexpr std::size_t kMiB = 1 << 20;

std::string item_body(std::int64_t owner) {
  return json{{"title", "t"}, {"owner_id", owner}}.dump();
}

// `body` as two chunks and the last, empty one.
std::string chunked(const std::string& body) {
  auto half = body.size() / 2;
  return fmt::format("{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n", half, body.substr(0, half),
                     body.size() - half, body.substr(half));
}

// The detail entry of a 422 whose loc is `loc`, or null.
json detail_at(const RawResponse& response, const json& loc) {
  auto body = response.json();
  if (!body.is_object() || !body["detail"].is_array()) return nullptr;
  for (const auto& entry : body["detail"]) {
    if (entry["loc"] == loc) return entry;
  }
  return nullptr;
}

// Sends `request` on a fresh connection: 400, then closed.
void expect_rejected(int port, const std::string& name, const std::string& request) {
  SCOPED_TRACE(name);
  RawConnection connection(port);
  ASSERT_TRUE(connection.connected());
  connection.send(request);
  expect_error_then_close(connection, 400);
}

TEST_P(BackendHostile, AmbiguousFramingIs400AndClosed) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto body = item_body(create_user_raw(port, "owner@example.com"));
  auto n = std::to_string(body.size());
  std::string head =
      "POST /items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  std::vector<std::pair<std::string, std::string>> cases{
      {"two equal lengths", head + "Content-Length: " + n + "\r\nContent-Length: " + n + "\r\n"},
      {"two lengths", head + "Content-Length: " + n + "\r\nContent-Length: 5\r\n"},
      {"a list", head + "Content-Length: " + n + ", " + n + "\r\n"},
      {"not a number", head + "Content-Length: 2x\r\n"},
      {"negative", head + "Content-Length: -" + n + "\r\n"},
      {"space before the colon", head + "Content-Length : " + n + "\r\n"},
      {"no Host", "POST /items HTTP/1.1\r\nContent-Length: " + n + "\r\n"}};
  for (const auto& [name, request] : cases) expect_rejected(port, name, request + "\r\n" + body);
  std::vector<std::pair<std::string, std::string>> encoded{
      {"length and chunked", head + "Content-Length: " + n + "\r\nTransfer-Encoding: chunked\r\n"},
      {"xchunked", head + "Transfer-Encoding: xchunked\r\n"},
      {"gzip, chunked", head + "Transfer-Encoding: gzip, chunked\r\n"},
      {"two encodings", head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"}};
  for (const auto& [name, request] : encoded) {
    expect_rejected(port, name, request + "\r\n" + chunked(body));
  }
  for (const char* line : {"GET /health\r\n", "GET /health HTTP/1.1 x\r\n",
                           "G@T /health HTTP/1.1\r\n", "GET /health HTTP/9\r\n"}) {
    expect_rejected(port, line, std::string(line) + "Host: 127.0.0.1\r\n\r\n");
  }
  EXPECT_EQ(list_size(port, "/items"), 0);
}

TEST_P(BackendHostile, OversizedIs413BeforeTheBodyAnd431ForHeads) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  for (const char* length : {"99999999999999", "1048577"}) {
    SCOPED_TRACE(length);
    RawConnection connection(port);
    // Only the head: the answer must not wait for a body that never comes.
    connection.send(
        fmt::format("POST /users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "Content-Length: {}\r\n\r\n",
                    length));
    expect_error_then_close(connection, 413);
  }
  std::string one_field =
      get_request("/health", "X-Filler: " + std::string(17 * 1024, 'a') + "\r\n");
  std::string many_fields;
  for (int i = 0; i < 40; ++i)
    many_fields += fmt::format("X-Filler-{}: {}\r\n", i, std::string(500, 'b'));
  for (const auto& request : {one_field, get_request("/health", many_fields)}) {
    RawConnection connection(port);
    connection.send(request);
    expect_error_then_close(connection, 431);
  }
  // 12 KiB of head is within the limit.
  auto within =
      round_trip(port, get_request("/health", "X-Filler: " + std::string(12 * 1024, 'c') + "\r\n"));
  EXPECT_EQ(within.status, 200) << within.body;
}

TEST_P(BackendHostile, ChunkedBodiesAreReadAndCappedAtOneMiB) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto owner = create_user_raw(port, "owner@example.com");
  std::string head =
      "POST /items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  auto created = round_trip(port, head + chunked(item_body(owner)));
  EXPECT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["owner_id"], owner);

  std::string stream = head + fmt::format("{:x}\r\n{{\"title\": \"\r\n", 11);
  std::string piece(64 * 1024, 'x');
  while (stream.size() < kMiB + kMiB / 4)
    stream += fmt::format("{:x}\r\n{}\r\n", piece.size(), piece);
  RawConnection connection(port);
  // The server may answer, and stop reading, once it is past 1 MiB.
  connection.send_until_answered(stream, piece.size());
  expect_error_then_close(connection, 413);
  EXPECT_EQ(list_size(port, "/items"), 1);
}

TEST_P(BackendHostile, BodilessWritesAre411AndCommitNothing) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto owner = std::to_string(create_user_raw(port, "owner@example.com"));
  for (bool half_close : {false, true}) {
    for (const auto& method : {std::string("POST /items"), "PATCH /users/" + owner}) {
      SCOPED_TRACE(fmt::format("{} half-closed: {}", method, half_close));
      RawConnection connection(port);
      connection.send(
          fmt::format("{} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\n\r\n",
                      method));
      if (half_close) connection.shutdown_write();
      expect_error(connection.read_response(), 411);
    }
  }
  EXPECT_EQ(list_size(port, "/items"), 0);
  EXPECT_EQ(round_trip(port, get_request("/users/" + owner)).json()["email"], "owner@example.com");
}

TEST_P(BackendHostile, HalfCloseAndPipeliningAreAnswered) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  RawConnection half(port);
  half.send(body_request("POST", "/users", R"({"email": "ann@example.com"})"));
  half.shutdown_write();
  auto created = half.read_response();
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(list_size(port, "/users"), 1);

  RawConnection reads(port);
  reads.send(get_request("/health") + get_request("/users") + get_request("/no/such/route"));
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i)
    statuses.push_back(reads.read_response().value_or(RawResponse{}).status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 404}));

  RawConnection write_then_read(port);
  write_then_read.send(body_request("POST", "/users", R"({"email": "bob@example.com"})") +
                       get_request("/users"));
  auto posted = write_then_read.read_response();
  auto listed = write_then_read.read_response();
  ASSERT_TRUE(posted && listed);
  EXPECT_EQ(posted->status, 201) << posted->body;
  ASSERT_EQ(listed->json().size(), 2U) << listed->body;
  EXPECT_EQ(listed->json()[1]["email"], "bob@example.com");
}

// HEAD is GET's answer without its body (RFC 9110 9.3.2): a body there would be read as the
// start of the next response on the connection.
TEST_P(BackendHostile, HeadIsGetWithoutTheBody) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  RawConnection connection(server->port());
  std::string head = get_request("/health");
  head.replace(0, 3, "HEAD");
  ASSERT_TRUE(connection.send(head + get_request("/health")));
  connection.shutdown_write();
  ASSERT_TRUE(connection.wait_closed());
  const std::string& bytes = connection.leftover();
  auto end_of_head = bytes.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << bytes;
  EXPECT_TRUE(bytes.starts_with("HTTP/1.1 200 OK\r\n")) << bytes;
  EXPECT_EQ(bytes.find("Content-Length: 0\r\n"), std::string::npos) << "GET's length: " << bytes;
  EXPECT_EQ(bytes.substr(end_of_head + 4, 17), "HTTP/1.1 200 OK\r\n") << bytes;
}

TEST_P(BackendHostile, OtherMethodsAre405WithAllow) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  for (const char* collection : {"/items", "/users"}) {
    auto put = round_trip(port, body_request("PUT", std::string(collection) + "/1", "{}"));
    expect_error(put, 405);
    EXPECT_EQ(put.header("Allow"), "GET, PATCH, DELETE") << collection;
    auto del =
        round_trip(port, fmt::format("DELETE {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", collection));
    expect_error(del, 405);
    EXPECT_EQ(del.header("Allow"), "GET, POST") << collection;
  }
  expect_error(round_trip(port, get_request("/no/such/route")), 404);
}

TEST_P(BackendHostile, BodiesMustBeJsonByTheirContentType) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  for (const char* type : {"text/plain", "", "application/x-www-form-urlencoded"}) {
    SCOPED_TRACE(type);
    auto refused =
        round_trip(port, body_request("POST", "/users", R"({"email": "a@example.com"})", type));
    expect_error(refused, 422);
    auto entry = detail_at(refused, {"body"});
    EXPECT_TRUE(entry.is_object() && entry["msg"].is_string() && entry["type"].is_string())
        << refused.body;
  }
  EXPECT_EQ(list_size(port, "/users"), 0);
  int n = 0;
  for (const char* type : {"application/json; charset=utf-8", "application/vnd.api+json"}) {
    auto email = fmt::format("{}@example.com", ++n);
    auto accepted =
        round_trip(port, body_request("POST", "/users", json{{"email", email}}.dump(), type));
    EXPECT_EQ(accepted.status, 201) << type << ": " << accepted.body;
  }
  EXPECT_EQ(list_size(port, "/users"), 2);
}

TEST_P(BackendHostile, NulInAStringIs422OnTheField) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto owner = std::to_string(create_user_raw(port, "owner@example.com"));
  std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"/users", R"({"email": "a\u0000b@example.com"})", "email"},
      {"/items", R"({"title": "a\u0000b", "owner_id": )" + owner + "}", "title"},
      {"/items", R"({"title": "t", "description": "\u0000", "owner_id": )" + owner + "}",
       "description"}};
  for (const auto& [path, body, field] : cases) {
    auto refused = round_trip(port, body_request("POST", path, body));
    expect_error(refused, 422);
    EXPECT_TRUE(detail_at(refused, {"body", field}).is_object()) << refused.body;
  }
  auto patched =
      round_trip(port, body_request("PATCH", "/users/" + owner, R"({"name": "x\u0000"})"));
  expect_error(patched, 422);
  EXPECT_TRUE(detail_at(patched, {"body", "name"}).is_object()) << patched.body;
  EXPECT_EQ(list_size(port, "/users"), 1);
  EXPECT_EQ(list_size(port, "/items"), 0);
  EXPECT_TRUE(round_trip(port, get_request("/users/" + owner)).json()["name"].is_null());
}

TEST_P(BackendHostile, CreatedAtHasSixFractionalDigitsInUtc) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  const std::regex format(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00)");
  auto user = round_trip(port, body_request("POST", "/users", R"({"email": "ann@example.com"})"));
  ASSERT_EQ(user.status, 201) << user.body;
  auto item = round_trip(
      port, body_request("POST", "/items", item_body(user.json()["id"].get<std::int64_t>())));
  ASSERT_EQ(item.status, 201) << item.body;
  auto read_back =
      round_trip(port, get_request(fmt::format("/items/{}", item.json()["id"].get<int>())));
  for (const auto& answer : {user, item, read_back}) {
    auto created_at = answer.json().value("created_at", "");
    EXPECT_TRUE(std::regex_match(created_at, format)) << created_at;
  }
}

std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

TEST_P(BackendHostile, HealthKeepsItsKeysWhenUnavailableAndEveryRequestIsLogged) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto ok = round_trip(port, get_request("/health"));
  EXPECT_EQ(ok.status, 200) << ok.body;
  const std::set<std::string> expected{"status", "database", "revision", "head", "at_head"};
  EXPECT_EQ(keys(ok.json()), expected) << ok.body;
  ASSERT_EQ(db({"downgrade", "base"}).status, 0);
  auto behind = round_trip(port, get_request("/health"));
  EXPECT_EQ(behind.status, 503) << behind.body;
  EXPECT_EQ(keys(behind.json()), expected) << behind.body;
  EXPECT_TRUE(std::regex_search(server->log(), std::regex(R"(GET /health 503 \d+\.\d{2}ms)")))
      << server->log();
}

std::string preflight(const std::string& origin) {
  return "OPTIONS /items HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + origin +
         "\r\nAccess-Control-Request-Method: POST\r\n"
         "Access-Control-Request-Headers: content-type\r\n\r\n";
}

void expect_allowed_preflight(int port, const std::string& origin, const std::string& allowed) {
  auto answer = round_trip(port, preflight(origin));
  EXPECT_EQ(answer.status, 204) << origin;
  EXPECT_EQ(answer.header("Access-Control-Allow-Origin"), allowed);
  EXPECT_NE(answer.header("Access-Control-Allow-Methods").value_or("").find("POST"),
            std::string::npos);
  EXPECT_TRUE(answer.header("Access-Control-Allow-Headers"));
  EXPECT_TRUE(answer.header("Access-Control-Max-Age"));
  EXPECT_NE(answer.header("Vary").value_or("").find("Origin"), std::string::npos);
}

TEST_P(BackendHostile, CorsAnswersTheConfiguredOriginsOnly) {
  auto server = start_migrated({{"CORS_ORIGINS", "https://app.example,https://two.example"}});
  ASSERT_TRUE(server->running());
  int port = server->port();
  expect_allowed_preflight(port, "https://app.example", "https://app.example");
  expect_allowed_preflight(port, "https://two.example", "https://two.example");
  expect_error(round_trip(port, preflight("https://evil.example")), 400);
  auto simple = round_trip(port, get_request("/health", "Origin: https://app.example\r\n"));
  EXPECT_EQ(simple.status, 200);
  EXPECT_EQ(simple.header("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_NE(simple.header("Vary").value_or("").find("Origin"), std::string::npos);
  auto other = round_trip(port, get_request("/health", "Origin: https://evil.example\r\n"));
  EXPECT_EQ(other.status, 200);
  EXPECT_FALSE(other.header("Access-Control-Allow-Origin"))
      << *other.header("Access-Control-Allow-Origin");
  EXPECT_EQ(server->stop(), 0);
  server = start({}, {{"CORS_ORIGINS", "*"}});
  ASSERT_TRUE(server->running());
  expect_allowed_preflight(server->port(), "https://any.example", "*");
}

TEST_P(BackendHostile, WithoutCorsNoAccessControlHeader) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  for (const auto& request : {preflight("https://app.example"),
                              get_request("/health", "Origin: https://app.example\r\n")}) {
    auto answer = round_trip(port, request);
    EXPECT_NE(answer.status, 0);
    for (const auto& [name, value] : answer.headers) {
      EXPECT_FALSE(name.size() > 15 && strncasecmp(name.c_str(), "access-control-", 15) == 0)
          << name << ": " << value;
    }
  }
}

}  // namespace

STRATA_ON_BOTH_BACKENDS(BackendHostile);

}  // namespace strata::test
