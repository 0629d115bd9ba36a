// Migrations through a direct URL while the application's leads through a transaction pooler:
// every command that touches the database takes [migrations] url or STRATA_MIGRATION_URL (which
// wins) instead of the database URL, and refuses a URL marked pooled before connecting, in one
// line saying what to set. On both backends; a SQLite URL cannot be marked pooled at all.
#include <fmt/format.h>

#include <strata/dialect/inspector.hpp>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {
namespace fs = std::filesystem;

constexpr const char* kRevision =
    "revision: aaaa11112222\ndown_revision: null\nmessage: users\nupgrade:\n"
    "  - create_table: {name: users, columns: [{name: id, type: biginteger, primary_key: true}]}\n"
    "downgrade:\n  - drop_table: {name: users}\n";

class MigrationUrlCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::create_directories(dir() / "db" / "versions");
    std::ofstream(dir() / "db" / "versions" / "20250101_0000_aaaa11112222_users.yaml") << kRevision;
  }
  // A database no command may touch: a SQLite file that must not appear, or a PostgreSQL
  // database that does not exist, so that connecting to it fails.
  std::string elsewhere() const {
    return is_sqlite() ? "sqlite:///" + (dir() / "elsewhere.db").string()
                       : Url::parse(url()).with_database("strata_no_such_database").unmasked();
  }
  void config(const std::string& database_url, const std::string& migration_url = "") const {
    std::ofstream(dir() / "strata.toml")
        << "[database]\nurl = \"" << database_url << "\"\n[migrations]\nscript_location = \"db\"\n"
        << (migration_url.empty() ? "" : "url = \"" + migration_url + "\"\n");
  }
  Outcome strata(const std::string& args, const std::string& env = "") const {
    return run_strata(dir(), args, env);
  }
  Outcome app(const std::string& args, const std::string& env = "") const {
    return run_strata(dir(), args, "STRATA_TEST_MODELS=users " + env, STRATA_APP_PATH);
  }
  std::vector<std::string> tables() const { return Inspector(make_engine()).table_names(); }
  void expect_untouched_elsewhere() const {
    if (is_sqlite()) {
      EXPECT_FALSE(fs::exists(dir() / "elsewhere.db"));
    }
  }
};

const std::vector<std::string> kMigrated{"strata_history", "strata_version", "users"};

TEST_P(MigrationUrlCli, EveryCommandThatTouchesTheDatabaseUsesTheMigrationUrl) {
  config(elsewhere(), url());
  auto up = strata("upgrade head");
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(tables(), kMigrated);
  EXPECT_EQ(strata("current").out, "aaaa11112222 (head)\n");
  auto check = strata("check");
  EXPECT_EQ(check.status, 0) << check.err;
  auto autogenerate = app("revision --autogenerate -m email");  // the models add a column
  EXPECT_EQ(autogenerate.status, 0) << autogenerate.err;
  auto verify = strata("verify");
  EXPECT_EQ(verify.status, 0) << verify.err;
  EXPECT_EQ(strata("stamp base").status, 0);
  EXPECT_EQ(strata("current").out, "");
  EXPECT_EQ(strata("stamp aaaa11112222").status, 0);
  auto down = strata("downgrade base");
  EXPECT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(tables(), (std::vector<std::string>{"strata_history", "strata_version"}));
  expect_untouched_elsewhere();
}

TEST_P(MigrationUrlCli, EnvironmentWinsOverTheFileAndUrlOverBoth) {
  config(elsewhere(), elsewhere());
  auto up = strata("upgrade head", "STRATA_MIGRATION_URL='" + url() + "'");
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(tables(), kMigrated);
  expect_untouched_elsewhere();
  auto given =
      strata("--url '" + url() + "' downgrade base", "STRATA_MIGRATION_URL='" + elsewhere() + "'");
  EXPECT_EQ(given.status, 0) << given.err;
  EXPECT_EQ(tables(), (std::vector<std::string>{"strata_history", "strata_version"}));
  expect_untouched_elsewhere();
}

TEST_P(MigrationUrlCli, BaselineReadsAndStampsThroughTheMigrationUrl) {
  fs::remove(dir() / "db" / "versions" / "20250101_0000_aaaa11112222_users.yaml");
  make_engine().connect().execute_script("CREATE TABLE accounts (id INTEGER PRIMARY KEY)");
  config(elsewhere(), url());
  auto baseline = strata("revision --baseline -m adopt --rev-id bbbb11112222");
  ASSERT_EQ(baseline.status, 0) << baseline.err;
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
  expect_untouched_elsewhere();
}

// Refused before connecting: the pooled URL names a port nothing listens on, so a connection
// attempt would fail otherwise (exit 1, "cannot connect").
TEST_P(MigrationUrlCli, PooledDatabaseUrlIsRefusedSayingWhatToSet) {
  if (is_sqlite()) {
    config("sqlite:///" + (dir() / "app.db").string() + "?pgbouncer=true");
    auto refused = strata("upgrade head");
    EXPECT_EQ(refused.status, 2);
    EXPECT_NE(refused.err.find("a SQLite file has none: remove it"), std::string::npos)
        << refused.err;
    EXPECT_FALSE(fs::exists(dir() / "app.db"));
    return;
  }
  config("postgresql://app:secret@127.0.0.1:1/app?pgbouncer=true");
  for (std::string command :
       {"upgrade head", "downgrade base", "stamp head", "current", "check", "verify"}) {
    auto refused = strata(command);
    EXPECT_EQ(refused.status, 2) << command << ": " << refused.err;
    EXPECT_EQ(
        refused.err,
        fmt::format("strata: database URL postgresql://app:***@127.0.0.1:1/app?pgbouncer=true "
                    "is marked pooled (pgbouncer=true), and migrations need a direct "
                    "connection to the server: set [migrations] url in {} or "
                    "STRATA_MIGRATION_URL to one\n",
                    (dir() / "strata.toml").string()))
        << command;
  }
  auto autogenerate = app("revision --autogenerate -m x");
  EXPECT_EQ(autogenerate.status, 2) << autogenerate.err;
  EXPECT_NE(autogenerate.err.find("STRATA_MIGRATION_URL"), std::string::npos) << autogenerate.err;
  // What reads the files alone needs no database.
  EXPECT_EQ(strata("history").status, 0);
  EXPECT_EQ(strata("upgrade head --sql").status, 0);
  // With a direct URL beside it, the same pooled database URL migrates.
  auto up = strata("upgrade head", "STRATA_MIGRATION_URL='" + url() + "'");
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(tables(), kMigrated);
}

STRATA_ON_BOTH_BACKENDS(MigrationUrlCli);

}  // namespace
}  // namespace strata::test
