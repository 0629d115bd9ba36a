// The fixture of the end-to-end tests: a project folder whose strata.toml points at the test's
// database (a fresh SQLite file, or a fresh PostgreSQL schema) and at the repository's
// backend/migrations, the built binary run in it, and JSON over HTTP.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend/backend_process.hpp"
#include "support/backends.hpp"

namespace strata::test {

// The service's connections, as pg_stat_activity shows them.
inline constexpr const char* kApplicationName = "backend_test";

// An HTTP answer: its status (0 when the request failed), body text, and the body as JSON
// (null when it is not JSON).
struct Answer {
  int status = 0;
  std::string text;
  nlohmann::json json;
};

// A request with `raw` as its body (GET and DELETE send none).
Answer send_raw(httplib::Client& client, const std::string& method, const std::string& path,
                const std::string& raw);
// A request with a JSON body, or none when `body` is null.
inline Answer call(httplib::Client& client, const std::string& method, const std::string& path,
                   const nlohmann::json& body = nullptr) {
  return send_raw(client, method, path, body.is_null() ? "" : body.dump());
}

class BackendTest : public DatabaseTest {
 protected:
  void SetUp() override;

  // The folder the binary runs in.
  std::filesystem::path project() const { return dir() / "project"; }
  // The test database's URL with the application name (PostgreSQL) and `params`.
  std::string app_url(const std::string& params = "") const;
  // Rewrites strata.toml with another database URL.
  void write_config(const std::string& url) const;

  // `backend db ARGS`.
  Finished db(const std::vector<std::string>& args, const Environment& env = {}) const;
  // `backend serve ARGS`, on any free port unless ARGS name one.
  std::unique_ptr<BackendServer> start(std::vector<std::string> args = {},
                                       const Environment& env = {}) const;
  // `backend db upgrade head`, then start({}, env); fails the test when either fails.
  std::unique_ptr<BackendServer> start_migrated(const Environment& env = {});

  // A user made through the API; its id.
  std::int64_t create_user(httplib::Client& client, const std::string& email);
};

}  // namespace strata::test
