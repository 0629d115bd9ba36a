// Offline mode: `strata upgrade --sql` and `downgrade --sql` piped into the backend's own
// client (sqlite3, psql) give the same database as the online run: the same tables, rows and
// version table.
#include <fstream>
#include <strata/dialect/inspector.hpp>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {
namespace fs = std::filesystem;

class OfflineCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cli_.emplace(dir(), url());
    cli_->write(
        "20250101_0000_aaaa11112222_init.yaml",
        "revision: aaaa11112222\ndown_revision: null\nmessage: \"init\\nand seed\"\nupgrade:\n"
        "  - create_table:\n      name: users\n      columns:\n"
        "        - {name: id, type: biginteger, primary_key: true}\n"
        "        - {name: email, type: string(100)}\n"
        "  - bulk_insert: {table: users, rows: [{id: 1, email: \"o'neil@x.org\"}, "
        "{id: 2, email: null}]}\n"
        "downgrade:\n  - drop_table: {name: users}\n");
    // A message of two lines and SQL ending in a comment must not break the script. Three
    // alterations of one table: on SQLite, one rebuild with foreign keys off.
    cli_->write(
        "20250102_0000_bbbb11112222_tighten.yaml",
        "revision: bbbb11112222\ndown_revision: aaaa11112222\nmessage: tighten\n"
        "upgrade:\n"
        "  - execute: {sql: \"UPDATE users SET email = 'none' WHERE email IS NULL -- fill\"}\n"
        "  - alter_column: {table: users, name: email, nullable: false, "
        "server_default: none}\n"
        "  - add_column: {table: users, column: {name: score, type: integer, "
        "nullable: false, server_default: 0}}\n"
        "  - create_check_constraint: {name: ck_users_score, table: users, "
        "condition: score >= 0}\n"
        "downgrade:\n"
        "  - drop_constraint: {name: ck_users_score, table: users, type: check}\n"
        "  - drop_column: {table: users, name: score}\n"
        "  - alter_column: {table: users, name: email, nullable: true, "
        "server_default: null}\n");
    cli_->write("20250103_0000_cccc11112222_index.yaml",
                "revision: cccc11112222\ndown_revision: bbbb11112222\nmessage: index\n"
                "transactional: false\nupgrade:\n"
                "  - create_index: {name: ix_users_email, table: users, columns: [email], "
                "concurrently: true}\n"
                "downgrade:\n  - drop_index: {name: ix_users_email, table: users}\n");
  }

  // Pipes `script` into sqlite3 or psql, stopping at the first error.
  void run_script(const std::string& script) {
    fs::path file = dir() / "script.sql";
    std::ofstream(file) << script;
    std::string client = is_sqlite()
                             ? "sqlite3 -bail '" + (dir() / "test.db").string() + "'"
                             : "psql -X -q -v ON_ERROR_STOP=1 '" + postgres_test_url() + "'";
    std::string command = client + " < '" + file.string() + "' > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command << "\n" << script;
  }

  // Every table as reflected, and the rows that matter.
  struct Snapshot {
    std::vector<Table> tables;
    std::vector<std::string> versions;
    std::vector<std::string> users;
  };
  Snapshot snapshot() {
    auto engine = make_engine();
    Snapshot s;
    s.tables = Inspector(engine).tables();
    auto conn = engine.connect();
    for (const auto& row : conn.execute("SELECT version_num FROM strata_version")) {
      s.versions.push_back(row.get<std::string>(0));
    }
    Inspector inspector(engine);
    if (!inspector.has_table("users")) return s;
    for (const auto& row : conn.execute("SELECT id, email FROM users ORDER BY id")) {
      s.users.push_back(row.get<std::string>(1));
    }
    return s;
  }
  void reset() {
    if (is_sqlite()) {
      for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(dir() / ("test.db" + std::string(suffix)));
      return;
    }
    make_engine().connect().execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  }
  void expect_same(const Snapshot& offline, const Snapshot& online) {
    ASSERT_EQ(offline.tables.size(), online.tables.size());
    for (std::size_t i = 0; i < online.tables.size(); ++i) {
      EXPECT_EQ(describe_difference(online.tables[i], offline.tables[i]), "")
          << online.tables[i].name;
    }
    EXPECT_EQ(offline.versions, online.versions);
    EXPECT_EQ(offline.users, online.users);
  }

  std::optional<CliRunner> cli_;
};

TEST_P(OfflineCli, UpgradeScriptBuildsWhatTheOnlineRunBuilds) {
  auto script = cli_->run("upgrade --sql head");
  ASSERT_EQ(script.status, 0) << script.err;
  EXPECT_EQ(
      script.out.find("strata_version (version_num) VALUES ('cccc11112222')") == std::string::npos,
      false);
  if (is_sqlite()) {
    EXPECT_NE(script.out.find("PRAGMA foreign_keys=OFF;"), std::string::npos);
  } else {
    EXPECT_NE(script.out.find("CREATE INDEX CONCURRENTLY"), std::string::npos);
  }
  run_script(script.out);
  Snapshot offline = snapshot();
  reset();
  ASSERT_EQ(cli_->run("upgrade head").status, 0);
  expect_same(offline, snapshot());
  EXPECT_EQ(snapshot().users, (std::vector<std::string>{"o'neil@x.org", "none"}));
}

TEST_P(OfflineCli, RangesStartWhereTheDatabaseIsAndDowngradesToBase) {
  ASSERT_EQ(cli_->run("upgrade aaaa").status, 0);
  auto rest = cli_->run("upgrade --sql aaaa:head");
  ASSERT_EQ(rest.status, 0) << rest.err;
  EXPECT_EQ(rest.out.find("CREATE TABLE IF NOT EXISTS strata_version"), std::string::npos);
  run_script(rest.out);
  EXPECT_EQ(cli_->run("current").out, "cccc11112222 (head)\n");
  Snapshot at_head = snapshot();

  auto down = cli_->run("downgrade --sql head:aaaa");
  ASSERT_EQ(down.status, 0) << down.err;
  run_script(down.out);
  Snapshot offline_down = snapshot();
  reset();
  ASSERT_EQ(cli_->run("upgrade head").status, 0);
  expect_same(at_head, snapshot());
  ASSERT_EQ(cli_->run("downgrade aaaa").status, 0);
  expect_same(offline_down, snapshot());

  run_script(cli_->run("downgrade --sql aaaa:base").out);
  EXPECT_EQ(cli_->run("current").out, "");
  EXPECT_FALSE(Inspector(make_engine()).has_table("users"));
}

TEST_P(OfflineCli, BadRequestsExitTwoAndWriteNothing) {
  auto no_start = cli_->run("downgrade --sql base");
  EXPECT_EQ(no_start.status, 2);
  EXPECT_NE(no_start.err.find("an offline downgrade needs FROM:TO"), std::string::npos)
      << no_start.err;
  EXPECT_EQ(no_start.out, "");
  EXPECT_EQ(cli_->run("upgrade --sql --dialect oracle").status, 2);
  auto online_dialect = cli_->run("upgrade --dialect sqlite");
  EXPECT_EQ(online_dialect.status, 2);
  EXPECT_FALSE(Inspector(make_engine()).has_table("strata_version"));
  auto unknown = cli_->run("upgrade --sql ffff:head");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("unknown revision 'ffff'"), std::string::npos) << unknown.err;
}

STRATA_ON_BOTH_BACKENDS(OfflineCli);

}  // namespace
}  // namespace strata::test
