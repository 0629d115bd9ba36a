// strata.toml's [migrations] lock_timeout and lock_retries through the strata binary: on
// PostgreSQL an upgrade blocked by a long transaction says each retry on stderr and gives up in
// one line, exit 1, the database left where it was; SQLite takes the keys and migrates.
#include <fstream>
#include <strata/migrate/runner.hpp>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {

class LockTimeoutCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cli_.emplace(dir(), url());
    std::ofstream(dir() / "strata.toml", std::ios::app)
        << "lock_timeout = \"200ms\"\nstatement_timeout = \"1min\"\nlock_retries = 1\n";
    cli_->write("20250101_0000_aaaa11112222_init.yaml",
                "revision: aaaa11112222\ndown_revision: null\nupgrade:\n"
                "  - create_table: {name: users, columns: [{name: id, type: biginteger, "
                "primary_key: true}]}\n"
                "downgrade:\n  - drop_table: {name: users}\n");
    cli_->write("20250102_0000_bbbb11112222_email.yaml",
                "revision: bbbb11112222\ndown_revision: aaaa11112222\nupgrade:\n"
                "  - add_column: {table: users, column: {name: email, type: text}}\n"
                "downgrade:\n  - drop_column: {table: users, name: email}\n");
  }
  std::vector<std::string> current() {
    return migrate::current_heads(make_engine(), "strata_version");
  }

  std::optional<CliRunner> cli_;
};

TEST_P(LockTimeoutCli, AnUpgradeBlockedByALongTransactionGivesUpInOneLine) {
  ASSERT_EQ(cli_->run("upgrade aaaa11112222").status, 0);
  if (is_sqlite()) {
    auto up = cli_->run("upgrade head");
    EXPECT_EQ(up.status, 0) << up.err;
    EXPECT_EQ(up.err, "");
    EXPECT_EQ(current(), std::vector<std::string>{"bbbb11112222"});
    return;
  }
  auto blocker = make_engine().connect();
  auto tx = blocker.begin();
  blocker.execute("SELECT count(*) FROM users").scalar<std::int64_t>();
  auto up = cli_->run("upgrade head");
  EXPECT_EQ(up.status, 1) << up.out << up.err;
  auto lines = up.err.find('\n');
  ASSERT_NE(lines, std::string::npos) << up.err;
  std::string retry = up.err.substr(0, lines);
  std::string error = up.err.substr(lines + 1);
  EXPECT_TRUE(retry.starts_with("strata warn: revision bbbb11112222 (")) << retry;
  EXPECT_NE(retry.find("): upgrade operation 1 (add_column) waited 200ms (lock_timeout) for a "
                       "lock on users, held by pid "),
            std::string::npos)
      << retry;
  EXPECT_NE(retry.find("; rolled back, try 2 of 2 in "), std::string::npos) << retry;
  EXPECT_TRUE(error.starts_with("strata: revision bbbb11112222 (")) << error;
  EXPECT_NE(error.find(", 2 times; the revision was rolled back, the database is where it was: "
                       "end the transaction holding the lock"),
            std::string::npos)
      << error;
  EXPECT_EQ(std::count(error.begin(), error.end(), '\n'), 1) << error;
  tx.rollback();
  EXPECT_EQ(current(), std::vector<std::string>{"aaaa11112222"});
  EXPECT_EQ(cli_->run("upgrade head").status, 0);
  EXPECT_EQ(current(), std::vector<std::string>{"bbbb11112222"});
}

STRATA_ON_BOTH_BACKENDS(LockTimeoutCli);

}  // namespace
}  // namespace strata::test
