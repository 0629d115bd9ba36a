// The runner behind a transaction pooler: its lock is a session's and its steps must follow it,
// so upgrade, downgrade and stamp refuse an engine whose URL is marked pooled before connecting,
// while current() (one read) works. A SQLite URL cannot be marked pooled (engine tests).
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/runner.hpp>

#include "migrations_fixture.hpp"

namespace strata::test {
namespace {

class PooledRunner : public MigrationsTest {};

TEST_P(PooledRunner, RunsThatTakeTheLockAreRefused) {
  if (is_sqlite()) GTEST_SKIP() << "a SQLite URL cannot be marked pooled";
  write("20250101_0000_aaaa11112222_users.yaml",
        "revision: aaaa11112222\ndown_revision: null\nupgrade:\n"
        "  - create_table: {name: users, columns: [{name: id, type: integer, primary_key: true}]}\n"
        "downgrade:\n  - drop_table: {name: users}\n");
  auto loaded = scripts();
  migrate::Runner pooled(make_engine("pgbouncer=true"), loaded);
  for (const auto& run : std::vector<std::function<void()>>{[&] { pooled.upgrade("heads"); },
                                                            [&] { pooled.downgrade("base"); },
                                                            [&] { pooled.stamp("heads"); }}) {
    try {
      run();
      ADD_FAILURE() << "ran through a pooled URL";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("would take their lock on one server connection and "
                                           "run on others"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_TRUE(Inspector(*engine_).table_names().empty());
  EXPECT_TRUE(pooled.current().empty());
  migrate::Runner direct(*engine_, loaded);
  direct.upgrade("heads");
  EXPECT_EQ(pooled.current(), std::vector<std::string>{"aaaa11112222"});
}

STRATA_ON_BOTH_BACKENDS(PooledRunner);

}  // namespace
}  // namespace strata::test
