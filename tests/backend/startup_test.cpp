// Starting and stopping the service: the schema check, --migrate, restarts, the embedded
// `backend db` commands, settings from the environment, started from any folder.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "backend/backend_fixture.hpp"

namespace strata::test {
namespace {

using nlohmann::json;

constexpr const char* kHead = "5c1d2e3f4a5b";  // backend/migrations' init revision

class BackendStartup : public BackendTest {
 protected:
  // A copy of the project outside the repository, in `copied` (dir()/copied by default):
  // strata.toml naming `url` and its migrations beside it, as script_location "migrations".
  // Returns the file.
  std::filesystem::path copy_project(const std::string& url,
                                     std::filesystem::path copied = {}) const {
    namespace fs = std::filesystem;
    if (copied.empty()) copied = dir() / "copied";
    fs::create_directories(copied);
    fs::copy(fs::path(STRATA_SOURCE_DIR) / "backend/migrations", copied / "migrations",
             fs::copy_options::recursive);
    std::ofstream(copied / "strata.toml")
        << "[database]\nurl = \"" << url << "\"\n[migrations]\nscript_location = \"migrations\"\n";
    return copied / "strata.toml";
  }
  // An empty folder, with no strata.toml in it or above it, to start the binary from.
  std::filesystem::path elsewhere() const {
    std::filesystem::create_directories(dir() / "elsewhere");
    return dir() / "elsewhere";
  }
  // The project's URL: a SQLite file relative to strata.toml's folder, or the test database.
  std::string relative_url() const { return is_sqlite() ? "sqlite:///data/app.db" : app_url(); }
};

// Serves `server`'s /health at head; fails the test otherwise.
void expect_serving_at_head(BackendServer& server) {
  ASSERT_TRUE(server.running()) << server.log();
  auto client = server.client();
  auto health = call(*client, "GET", "/health");
  EXPECT_EQ(health.status, 200) << health.text;
  EXPECT_EQ(health.json["revision"], kHead) << health.text;
  EXPECT_EQ(call(*client, "POST", "/users", json{{"email", "ann@example.com"}}).status, 201);
  client.reset();
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST_P(BackendStartup, RefusesADatabaseBehindHead) {
  auto server = start();
  EXPECT_FALSE(server->running());
  EXPECT_EQ(server->exit_status(), 1);
  auto log = server->log();
  EXPECT_NE(log.find("backend db upgrade head"), std::string::npos) << log;
  EXPECT_NE(log.find("--migrate"), std::string::npos) << log;
  // Nothing was created: the refusal does not touch the schema.
  auto current = nlohmann::json::parse(db({"--json", "current"}).out, nullptr, false);
  EXPECT_EQ(current["current"], nlohmann::json::array()) << current;
}

// The container's start sequence, outside Docker: DATABASE_URL names a file in a data folder
// (SQLite) or the server; `serve --migrate` upgrades, then serves; a restart keeps the data.
TEST_P(BackendStartup, MigrateThenServeAndRestartKeepsTheData) {
  std::string database_url =
      is_sqlite() ? "sqlite:///" + (dir() / "data" / "app.db").string() : app_url();
  write_config("sqlite:///not/this/one.db");  // DATABASE_URL wins over strata.toml
  Environment env{{"DATABASE_URL", database_url}};
  std::int64_t user_id = 0;
  {
    auto server = start({"--migrate"}, env);
    ASSERT_TRUE(server->running()) << server->log();
    auto client = server->client();
    auto health = call(*client, "GET", "/health");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.json, (json{{"status", "ok"},
                                 {"database", "ok"},
                                 {"revision", kHead},
                                 {"head", kHead},
                                 {"at_head", true}}));
    user_id = create_user(*client, "ann@example.com");
    client.reset();
    EXPECT_EQ(server->stop(), 0);
    EXPECT_NE(server->log().find("Running upgrade"), std::string::npos) << server->log();
  }
  if (is_sqlite()) {
    EXPECT_TRUE(std::filesystem::exists(dir() / "data" / "app.db"));
  }
  auto server = start({"--migrate"}, env);  // at head already: nothing to run
  ASSERT_TRUE(server->running()) << server->log();
  auto client = server->client();
  EXPECT_EQ(call(*client, "GET", fmt::format("/users/{}", user_id)).json["email"],
            "ann@example.com");
  client.reset();
  EXPECT_EQ(server->stop(), 0);
  EXPECT_EQ(server->log().find("Running upgrade"), std::string::npos) << server->log();
  // The URL is logged, with its password masked.
  EXPECT_NE(server->log().find("database "), std::string::npos);
}

TEST_P(BackendStartup, HealthSays503WhenTheSchemaFallsBehind) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  auto client = server->client();
  EXPECT_EQ(call(*client, "GET", "/health").status, 200);
  ASSERT_EQ(db({"downgrade", "base"}).status, 0);
  auto behind = call(*client, "GET", "/health");
  EXPECT_EQ(behind.status, 503);
  EXPECT_EQ(behind.json["status"], "unavailable");
  EXPECT_EQ(behind.json["database"], "ok");
  EXPECT_TRUE(behind.json["revision"].is_null());
  EXPECT_EQ(behind.json["at_head"], false);
  ASSERT_EQ(db({"upgrade", "head"}).status, 0);
  EXPECT_EQ(call(*client, "GET", "/health").status, 200);
}

TEST_P(BackendStartup, DbRunsTheStrataCommandLine) {
  auto upgraded = db({"upgrade", "head"});
  EXPECT_EQ(upgraded.status, 0) << upgraded.err;
  auto current = db({"current"});
  EXPECT_EQ(current.status, 0) << current.err;
  EXPECT_NE(current.out.find(kHead), std::string::npos) << current.out;
  auto help = db({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("backend db"), std::string::npos) << help.out;
  EXPECT_EQ(db({"no-such-command"}).status, 2);
}

// The models the backend serves are the schema its migrations make: autogenerate finds nothing
// to write, and check finds the database at head and matching. Run on a copy of the migrations,
// so that a difference would write its revision there and not into the source tree.
TEST_P(BackendStartup, DbAutogenerateFindsTheModelsAtHead) {
  copy_project(app_url(), project());
  ASSERT_EQ(db({"upgrade", "head"}).status, 0);
  auto autogenerate = db({"revision", "--autogenerate", "-m", "nothing"});
  EXPECT_EQ(autogenerate.status, 0) << autogenerate.err;
  EXPECT_EQ(autogenerate.out, "No changes detected\n");
  auto check = db({"check"});
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_EQ(check.out, "The database is at head and matches the models.\n");
  EXPECT_EQ(db({"verify"}).status, 0);
}

// Drift made by hand, found by check and repaired through the flow check exists for: the
// autogenerated revision removes it, upgrades, lints, and its downgrade brings it back.
TEST_P(BackendStartup, DbRepairsDriftMadeByHand) {
  copy_project(app_url(), project());
  ASSERT_EQ(db({"upgrade", "head"}).status, 0);
  {
    auto engine = create_engine(app_url());
    engine.connect().execute_script("ALTER TABLE items ADD COLUMN stray INTEGER");
    engine.connect().execute_script("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)");
    engine.connect().execute_script(
        "INSERT INTO users (id, email) VALUES (1, 'a@example.com');"
        "INSERT INTO items (id, title, owner_id, stray) VALUES (1, 'kept', 1, 5)");
  }
  auto found = db({"check"});
  EXPECT_EQ(found.status, 1) << found.out << found.err;
  EXPECT_NE(found.out.find("stray"), std::string::npos) << found.out;
  auto written = db({"revision", "--autogenerate", "-m", "remove drift"});
  ASSERT_EQ(written.status, 0) << written.err;
  auto up = db({"-v", "upgrade", "head"});
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_NE(up.err.find("table items in the database differs from the history"), std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find("table items: column stray: only in the database"), std::string::npos)
      << up.err;
  // Lint reads the revision through: the drops lose data (errors), and what they drop is
  // not in the history (warnings).
  auto lint = db({"lint"});
  EXPECT_EQ(lint.status, 1) << lint.out << lint.err;
  EXPECT_NE(lint.out.find("error drop-column: drops column items.stray"), std::string::npos)
      << lint.out;
  EXPECT_NE(lint.out.find("warning object-not-in-history"), std::string::npos) << lint.out;
  EXPECT_EQ(lint.err, "") << lint.err;
  auto clean = db({"check"});
  EXPECT_EQ(clean.status, 0) << clean.out << clean.err;
  auto down = db({"-v", "downgrade", "-1"});
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(db({"check"}).status, 1);
  ASSERT_EQ(db({"upgrade", "head"}).status, 0);
  EXPECT_EQ(db({"check"}).status, 0);
  auto engine = create_engine(app_url());
  EXPECT_EQ(
      engine.connect().execute("SELECT count(*) FROM items WHERE title = 'kept'").scalar<int>(), 1);
}

TEST_P(BackendStartup, SigintStopsCleanlyToo) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  auto client = server->client();
  EXPECT_EQ(call(*client, "GET", "/users").status, 200);
  client.reset();
  EXPECT_EQ(server->stop(SIGINT), 0);
  EXPECT_NE(server->log().find("SIGINT"), std::string::npos) << server->log();
}

TEST_P(BackendStartup, BadSettingsAreConfigurationErrors) {
  ASSERT_EQ(db({"upgrade", "head"}).status, 0);
  auto port = start({}, {{"PORT", "eighty"}});
  EXPECT_FALSE(port->running());
  EXPECT_EQ(port->exit_status(), 2);
  EXPECT_NE(port->log().find("PORT"), std::string::npos) << port->log();
  auto level = start({}, {{"LOG_LEVEL", "loud"}});
  EXPECT_EQ(level->exit_status(), 2);
  EXPECT_NE(level->log().find("LOG_LEVEL"), std::string::npos) << level->log();
  auto url = start({}, {{"DATABASE_URL", "mysql://x"}});
  EXPECT_EQ(url->exit_status(), 2);
  // A URL typed where an option or nothing belongs is quoted in the error, masked.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"serve", "postgresql://u:Hunter2Secret@h/db"},
        {"--port", "postgresql://u:Hunter2Secret@h/db"}}) {
    auto typed = run_backend(project(), args);
    EXPECT_EQ(typed.status, 2) << typed.err;
    EXPECT_NE(typed.err.find("u:***@h/db"), std::string::npos) << typed.err;
    EXPECT_EQ(typed.err.find("Hunter2Secret"), std::string::npos) << typed.err;
  }
  // A port in use is refused, not shared.
  auto first = start();
  ASSERT_TRUE(first->running());
  auto second = start({"--port", std::to_string(first->port())});
  EXPECT_FALSE(second->running());
  EXPECT_EQ(second->exit_status(), 1);
}

// --config names the project: its database (relative to its folder) and its migrations, from
// whatever folder the binary starts in, for `serve` and for `db` (the option before or after
// the command).
TEST_P(BackendStartup, ConfigNamesTheProjectFromAnyFolder) {
  auto config = copy_project(relative_url()).string();
  BackendServer server(elsewhere(), {"serve", "--port", "0", "--config", config, "--migrate"});
  expect_serving_at_head(server);
  auto before = run_backend(elsewhere(), {"db", "--config", config, "current"});
  EXPECT_EQ(before.status, 0) << before.err;
  EXPECT_NE(before.out.find(kHead), std::string::npos) << before.out << before.err;
  auto after = run_backend(elsewhere(), {"db", "current", "--config=" + config});
  EXPECT_NE(after.out.find(kHead), std::string::npos) << after.out << after.err;
  if (is_sqlite()) {
    EXPECT_TRUE(std::filesystem::exists(dir() / "copied" / "data" / "app.db"));
    EXPECT_FALSE(std::filesystem::exists(elsewhere() / "data"));
  }
}

// As docs/architecture.md says, DATABASE_URL wins over the file's url; the file still gives the
// migrations.
TEST_P(BackendStartup, DatabaseUrlWinsOverTheNamedConfig) {
  auto config = copy_project("sqlite:///not/this/one.db").string();
  Environment env{
      {"DATABASE_URL", is_sqlite() ? "sqlite:///" + (dir() / "env.db").string() : app_url()}};
  auto upgraded = run_backend(elsewhere(), {"db", "--config", config, "upgrade", "head"}, env);
  EXPECT_EQ(upgraded.status, 0) << upgraded.err;
  BackendServer server(elsewhere(), {"serve", "--port", "0", "--config", config}, env);
  expect_serving_at_head(server);
  EXPECT_FALSE(std::filesystem::exists(dir() / "copied" / "not"));
}

// No strata.toml here or above: MIGRATIONS_DIR (relative to the working directory) names the
// migrations, and the database is DATABASE_URL, else data/app.db in the working directory.
TEST_P(BackendStartup, MigrationsDirWithoutAnyStrataToml) {
  copy_project("sqlite:///unused.db");
  Environment env{{"MIGRATIONS_DIR", "../copied/migrations"}};
  if (!is_sqlite()) env["DATABASE_URL"] = app_url();
  BackendServer server(elsewhere(), {"serve", "--port", "0", "--migrate"}, env);
  expect_serving_at_head(server);
  if (is_sqlite()) {
    EXPECT_TRUE(std::filesystem::exists(elsewhere() / "data" / "app.db"));
  }
  auto current = run_backend(elsewhere(), {"db", "current"}, env);
  EXPECT_NE(current.out.find(kHead), std::string::npos) << current.out << current.err;
}

TEST_P(BackendStartup, WithoutMigrationsTheErrorSaysHowToNameThem) {
  Environment env;
  if (!is_sqlite()) env["DATABASE_URL"] = app_url();
  BackendServer server(elsewhere(), {"serve", "--port", "0", "--migrate"}, env);
  EXPECT_FALSE(server.running());
  EXPECT_EQ(server.exit_status(), 2);
  auto log = server.log();
  EXPECT_NE(log.find((elsewhere() / "migrations" / "versions").string()), std::string::npos) << log;
  EXPECT_NE(log.find("MIGRATIONS_DIR"), std::string::npos) << log;
  EXPECT_NE(log.find("--config"), std::string::npos) << log;
  EXPECT_EQ(log.find("strata init"), std::string::npos) << log;
}

STRATA_ON_BOTH_BACKENDS(BackendStartup);

}  // namespace
}  // namespace strata::test
