#include "backend/backend_fixture.hpp"

#include <algorithm>
#include <fstream>

namespace strata::test {
namespace fs = std::filesystem;

Answer send_raw(httplib::Client& client, const std::string& method, const std::string& path,
                const std::string& raw) {
  httplib::Result result = method == "GET"      ? client.Get(path.c_str())
                           : method == "DELETE" ? client.Delete(path.c_str())
                           : method == "PATCH" ? client.Patch(path.c_str(), raw, "application/json")
                                               : client.Post(path.c_str(), raw, "application/json");
  Answer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.text = result->body;
  answer.json = nlohmann::json::parse(answer.text, nullptr, false);
  if (answer.json.is_discarded()) answer.json = nullptr;
  return answer;
}

void BackendTest::SetUp() {
  DatabaseTest::SetUp();
  if (IsSkipped()) return;
  fs::create_directories(project());
  write_config(app_url());
}

std::string BackendTest::app_url(const std::string& params) const {
  std::string all = is_sqlite() ? params
                                : std::string("application_name=") + kApplicationName +
                                      (params.empty() ? "" : "&" + params);
  return url(all);
}

void BackendTest::write_config(const std::string& database_url) const {
  std::ofstream(project() / "strata.toml")
      << "[database]\nurl = \"" << database_url << "\"\n[migrations]\nscript_location = \""
      << STRATA_SOURCE_DIR << "/backend/migrations\"\n";
}

Finished BackendTest::db(const std::vector<std::string>& args, const Environment& env) const {
  std::vector<std::string> all{"db"};
  all.insert(all.end(), args.begin(), args.end());
  return run_backend(project(), all, env);
}

std::unique_ptr<BackendServer> BackendTest::start(std::vector<std::string> args,
                                                  const Environment& env) const {
  if (std::find(args.begin(), args.end(), "--port") == args.end()) {
    args.insert(args.begin(), {"--port", "0"});
  }
  args.insert(args.begin(), "serve");
  return std::make_unique<BackendServer>(project(), args, env);
}

std::unique_ptr<BackendServer> BackendTest::start_migrated(const Environment& env) {
  auto upgraded = db({"upgrade", "head"});
  EXPECT_EQ(upgraded.status, 0) << upgraded.err;
  auto server = start({}, env);
  EXPECT_TRUE(server->running()) << server->log();
  return server;
}

std::int64_t BackendTest::create_user(httplib::Client& client, const std::string& email) {
  auto created = call(client, "POST", "/users", nlohmann::json{{"email", email}});
  EXPECT_EQ(created.status, 201) << created.text;
  return created.json.value("id", std::int64_t{0});
}

}  // namespace strata::test
