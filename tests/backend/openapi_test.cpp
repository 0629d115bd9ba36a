// GET /openapi.json, on SQLite and PostgreSQL: the document passes a real OpenAPI validator
// (tests/backend/openapi, installed into the build tree by npm ci), names every route with its
// success and error responses, and says what the server does: each status the test provokes is
// among the route's documented ones, and bodies have the documented schemas' keys.
#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "backend/backend_fixture.hpp"
#include "backend/raw_http.hpp"

namespace strata::test {
namespace {

using nlohmann::json;

// A route as the document must show it: its success status and its error statuses.
struct Route {
  std::string method;
  std::string path;
  int success;
  std::set<int> errors;
};

// 422 wherever input is parsed (query, path or body), 404 for one row, 503 when the database
// refuses; a body also brings the transport's 400 (malformed), 411 (no length), 413 (too big).
std::vector<Route> expected_routes() {
  std::vector<Route> routes{{"get", "/health", 200, {503}}};
  for (const auto& [table, id] : {std::pair{"users", "user_id"}, std::pair{"items", "item_id"}}) {
    auto list = fmt::format("/{}", table);
    auto one = fmt::format("/{}/{{{}}}", table, id);
    std::set<int> with_body{400, 411, 413, 422, 503};
    if (list == "/users") with_body.insert(409);  // the email is taken
    auto one_with_body = with_body;
    one_with_body.insert(404);
    routes.push_back({"get", list, 200, {422, 503}});
    routes.push_back({"post", list, 201, with_body});
    routes.push_back({"get", one, 200, {404, 422, 503}});
    routes.push_back({"patch", one, 200, one_with_body});
    routes.push_back({"delete", one, 204, {404, 422, 503}});
  }
  return routes;
}

struct Validation {
  int status = -1;
  std::string output;
};

// `node validate.mjs FILE`: 0 valid, 1 invalid with one error a line.
Validation validate(const std::filesystem::path& file) {
  auto command =
      fmt::format("'{}' '{}' '{}' 2>&1", NODE_EXECUTABLE, OPENAPI_VALIDATOR, file.string());
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  Validation result;
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    result.output.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Every "$ref" under `node`.
void collect_refs(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    if (node.contains("$ref") && node["$ref"].is_string()) out.push_back(node["$ref"]);
    for (const auto& [key, value] : node.items()) collect_refs(value, out);
  } else if (node.is_array()) {
    for (const auto& value : node) collect_refs(value, out);
  }
}

// `content` (a response's or a request body's) refers to schemas, all under components/schemas.
void expect_schema_refs(const json& document, const json& content, const std::string& where) {
  std::vector<std::string> refs;
  collect_refs(content.value("application/json", json::object()).value("schema", json()), refs);
  EXPECT_FALSE(refs.empty()) << where << ": no application/json schema reference";
  const std::string prefix = "#/components/schemas/";
  auto schemas = document.value("components", json::object()).value("schemas", json::object());
  for (const auto& ref : refs) {
    EXPECT_TRUE(ref.starts_with(prefix) && schemas.contains(ref.substr(prefix.size())))
        << where << " refers to " << ref << ", which does not exist";
  }
}

// `node`, or what its "$ref" points to in `document`.
json resolve(const json& document, const json& node) {
  auto ref = node.is_object() ? node.value("$ref", "") : "";
  if (!ref.starts_with("#/")) return node;
  auto pointer = json::json_pointer(ref.substr(1));
  return document.contains(pointer) ? document[pointer] : json(nullptr);
}

// `body` fits `schema` as far as keys go: it has the required ones and no others (a list each
// element against the items' schema, nested objects against their properties' schemas).
void expect_keys_documented(const json& document, const json& schema_node, const json& body,
                            const std::string& where) {
  auto schema = resolve(document, schema_node);
  if (body.is_array() && schema.contains("items")) {
    for (const auto& element : body)
      expect_keys_documented(document, schema["items"], element, where);
    return;
  }
  if (!body.is_object() || !schema.contains("properties")) return;
  for (const auto& key : schema.value("required", json::array())) {
    EXPECT_TRUE(body.contains(key)) << where << ": the answer lacks required " << key;
  }
  for (const auto& [key, value] : body.items()) {
    EXPECT_TRUE(schema["properties"].contains(key))
        << where << ": " << key << " is not in its schema";
    if (schema["properties"].contains(key)) {
      expect_keys_documented(document, schema["properties"][key], value, where + "." + key);
    }
  }
}

// The operation `method path` of the document (null when missing).
json operation(const json& document, const std::string& method, const std::string& path) {
  return document.value("paths", json::object()).value(path, json::object()).value(method, json());
}

// The server answered `status` and `body` to `method path`: the route documents that status,
// and the body fits the documented schema.
void expect_documented(const json& document, const std::string& method, const std::string& path,
                       int status, const json& body) {
  auto where = fmt::format("{} {} answered {}", method, path, status);
  auto response = operation(document, method, path)["responses"][std::to_string(status)];
  ASSERT_TRUE(response.is_object()) << where << ", which it does not document";
  auto schema = response.value(json::json_pointer("/content/application~1json/schema"), json());
  expect_keys_documented(document, schema, body, where);
}

class BackendOpenApi : public BackendTest {
 protected:
  // Starts the migrated server and fetches its document.
  void serve() {
    server_ = start_migrated();
    ASSERT_TRUE(server_->running());
    client_ = server_->client();
    document_ = fetch_document();
    ASSERT_FALSE(document_.is_null());
  }

  // GET /openapi.json as JSON (null when it is not), its text kept in served_.
  json fetch_document() {
    auto result = client_->Get("/openapi.json");
    EXPECT_TRUE(result) << "GET /openapi.json got no answer";
    if (!result) return nullptr;
    EXPECT_EQ(result->status, 200) << result->body;
    EXPECT_TRUE(result->get_header_value("Content-Type").starts_with("application/json"));
    served_ = result->body;
    auto document = json::parse(served_, nullptr, false);
    EXPECT_TRUE(document.is_object()) << served_.substr(0, 500);
    return document.is_object() ? document : nullptr;
  }

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto file = dir() / name;
    std::ofstream(file) << text;
    return file;
  }

  std::unique_ptr<BackendServer> server_;
  std::unique_ptr<httplib::Client> client_;
  json document_;
  std::string served_;
};

TEST_P(BackendOpenApi, DocumentPassesTheValidator) {
  ASSERT_NO_FATAL_FAILURE(serve());
  EXPECT_EQ(document_["openapi"], "3.1.0");
  auto validation = validate(write("openapi.json", served_));
  EXPECT_EQ(validation.status, 0) << validation.output;

  // The same validator rejects a document without `info`, and one whose $ref leads nowhere.
  auto no_info = document_;
  no_info.erase("info");
  auto rejected = validate(write("no-info.json", no_info.dump()));
  EXPECT_EQ(rejected.status, 1) << rejected.output;
  EXPECT_NE(rejected.output.find("info"), std::string::npos) << rejected.output;
  auto dangling = document_;
  dangling["paths"]["/health"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
      {{"$ref", "#/components/schemas/NoSuchSchema"}};
  rejected = validate(write("dangling.json", dangling.dump()));
  EXPECT_EQ(rejected.status, 1) << rejected.output;
  EXPECT_NE(rejected.output.find("NoSuchSchema"), std::string::npos) << rejected.output;
}

// `route` is in the document with its responses, each body's schema, its request body's schema
// and its parameters: the path's {id}, the lists' paging (of the operation or of its path).
void expect_route_documented(const json& document, const Route& route) {
  auto where = route.method + " " + route.path;
  auto op = operation(document, route.method, route.path);
  ASSERT_TRUE(op.is_object()) << where << " is not in paths";
  std::set<int> statuses{route.errors};
  statuses.insert(route.success);
  for (int status : statuses) {
    auto response = op["responses"][std::to_string(status)];
    EXPECT_TRUE(response.is_object()) << where << " does not document " << status;
    if (!response.is_object() || status == 204) continue;
    expect_schema_refs(document, response["content"], fmt::format("{} {}", where, status));
  }
  if (route.method == "post" || route.method == "patch") {
    expect_schema_refs(document, op["requestBody"]["content"], where + " request body");
  }
  std::set<std::string> parameters;
  auto path_item = document.value("paths", json::object()).value(route.path, json::object());
  for (const auto* owner : {&op, &path_item}) {
    for (const auto& p : owner->value("parameters", json::array())) {
      parameters.insert(resolve(document, p).value("name", ""));
    }
  }
  if (auto open = route.path.find('{'); open != std::string::npos) {
    auto id = route.path.substr(open + 1, route.path.size() - open - 2);
    EXPECT_TRUE(parameters.count(id)) << where << " does not document its " << id;
  } else if (route.method == "get" && route.path != "/health") {
    EXPECT_EQ(parameters, (std::set<std::string>{"limit", "offset"})) << where;
  }
}

TEST_P(BackendOpenApi, EveryRouteWithItsResponses) {
  ASSERT_NO_FATAL_FAILURE(serve());
  for (const auto& route : expected_routes()) expect_route_documented(document_, route);
}

// The methods a path documents are those its 405 allows.
TEST_P(BackendOpenApi, DocumentedMethodsAreTheAllowedOnes) {
  ASSERT_NO_FATAL_FAILURE(serve());
  const std::set<std::string> http_methods{"get",     "put",  "post",  "delete",
                                           "options", "head", "patch", "trace"};
  for (const auto& [path, template_path] :
       std::vector<std::pair<std::string, std::string>>{{"/users", "/users"},
                                                        {"/users/1", "/users/{user_id}"},
                                                        {"/items", "/items"},
                                                        {"/items/1", "/items/{item_id}"},
                                                        {"/health", "/health"}}) {
    std::set<std::string> documented;
    for (const auto& [key, op] : document_["paths"][template_path].items()) {
      if (http_methods.count(key)) documented.insert(key);
    }
    auto answer = round_trip(server_->port(), body_request("PUT", path, "{}"));
    EXPECT_EQ(answer.status, 405) << "PUT " << path << ": " << answer.body;
    std::set<std::string> allowed;
    std::istringstream allow(answer.header("Allow").value_or(""));
    for (std::string method; std::getline(allow >> std::ws, method, ',');) {
      std::transform(method.begin(), method.end(), method.begin(), ::tolower);
      allowed.insert(method);
    }
    EXPECT_EQ(allowed, documented) << template_path;
  }
}

// A request without a body: "METHOD PATH HTTP/1.1" and Host.
std::string bare_request(const std::string& method, const std::string& path) {
  return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

// Each status the test provokes, success or error, is documented for its route, and its JSON
// body has only keys the documented schema names.
TEST_P(BackendOpenApi, ProvokedStatusesAreDocumented) {
  ASSERT_NO_FATAL_FAILURE(serve());
  int port = server_->port();
  auto ann = create_user(*client_, "ann@example.com");
  auto item = call(*client_, "POST", "/items", json{{"title", "t"}, {"owner_id", ann}});
  auto ann_path = fmt::format("/users/{}", ann);
  auto item_path = fmt::format("/items/{}", item.json.value("id", 0));
  const std::string json_head = "Host: 127.0.0.1\r\nContent-Type: application/json\r\n";
  struct Provoked {
    std::string method;  // as the document spells it
    std::string route;
    std::string request;
    int status;
  };
  const std::vector<Provoked> provoked{
      {"get", "/users/{user_id}", get_request(ann_path), 200},
      {"get", "/items", get_request("/items"), 200},
      {"get", "/health", get_request("/health"), 200},
      {"post", "/users", body_request("POST", "/users", R"({"email": "ann@example.com"})"), 409},
      {"post", "/users", body_request("POST", "/users", R"({"email": "x@y")"), 400},
      {"post", "/items", body_request("POST", "/items", R"({"title": "", "owner_id": 0})"), 422},
      {"post", "/items", body_request("POST", "/items", "title=t", "text/plain"), 422},
      {"patch", "/users/{user_id}", body_request("PATCH", ann_path, R"({"email": "at"})"), 422},
      {"get", "/users", get_request("/users?limit=0"), 422},
      {"get", "/items/{item_id}", get_request("/items/abc"), 422},
      {"delete", "/users/{user_id}", bare_request("DELETE", "/users/1.5"), 422},
      {"get", "/users/{user_id}", get_request("/users/999999"), 404},
      {"patch", "/items/{item_id}", body_request("PATCH", "/items/999999", "{}"), 404},
      {"delete", "/items/{item_id}", bare_request("DELETE", "/items/999999"), 404},
      // What no client library sends: no length, a length too large to read, two lengths.
      {"post", "/users", "POST /users HTTP/1.1\r\n" + json_head + "\r\n", 411},
      {"patch", "/items/{item_id}",
       "PATCH " + item_path + " HTTP/1.1\r\n" + json_head + "Content-Length: 2000000\r\n\r\n", 413},
      {"patch", "/users/{user_id}",
       "PATCH " + ann_path + " HTTP/1.1\r\n" + json_head +
           "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
       400},
      {"delete", "/items/{item_id}", bare_request("DELETE", item_path), 204},
  };
  for (const auto& p : provoked) {
    auto answer = round_trip(port, p.request);
    EXPECT_EQ(answer.status, p.status)
        << p.request.substr(0, p.request.find('\r')) << ": " << answer.body;
    expect_documented(document_, p.method, p.route, answer.status, answer.json());
  }

  // A schema behind head: /health answers 503.
  ASSERT_EQ(db({"downgrade", "base"}).status, 0);
  auto behind = round_trip(port, get_request("/health"));
  EXPECT_EQ(behind.status, 503) << behind.body;
  expect_documented(document_, "get", "/health", behind.status, behind.json());
  client_.reset();
  EXPECT_EQ(server_->stop(), 0) << server_->log();
}

TEST_P(BackendOpenApi, DocsPageLoadsTheDocument) {
  ASSERT_NO_FATAL_FAILURE(serve());
  auto page = client_->Get("/docs");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(page->get_header_value("Content-Type").starts_with("text/html"))
      << page->get_header_value("Content-Type");
  EXPECT_NE(page->body.find("/openapi.json"), std::string::npos) << page->body;
}

STRATA_ON_BOTH_BACKENDS(BackendOpenApi);

}  // namespace
}  // namespace strata::test
