#include "topology/topology_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <strata/strata.hpp>
#include <thread>

#include "support/backends.hpp"

namespace strata::test {
namespace fs = std::filesystem;

std::string topology_url(const char* name) {
  const char* url = std::getenv(name);
  if (url != nullptr && *url != '\0') return url;
  // A fatal failure, even from a helper: a fixture's SetUp that saw it skips the test's body.
  [name] {
    FAIL() << name
           << " is not set: run the tests through `make test` (scripts/with-postgres starts the "
              "primary, its standby and PgBouncer), or set STRATA_SKIP_POSTGRES=1 to skip "
              "PostgreSQL";
  }();
  return "";
}

void wait_for_replay(const std::string& primary, const std::string& standby) {
  auto written = create_engine(primary)
                     .connect()
                     .execute("SELECT pg_current_wal_lsn()::text")
                     .scalar<std::string>();
  // Asked in database "postgres": the one `standby` names may not be replayed yet.
  auto replica = create_engine(Url::parse(standby).with_database("postgres"));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!replica.connect()
              .execute("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn", written)
              .scalar<bool>()) {
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL() << "the standby " << Url::parse(standby).masked() << " did not replay up to "
             << written << " within 30 s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void TopologyTest::SetUp() {
  if (skip_postgres()) GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1: PostgreSQL tests skipped";
  for (const char* name :
       {"STRATA_TEST_POSTGRES_URL", "STRATA_TEST_PGBOUNCER_URL", "STRATA_TEST_PG_STANDBY_URL"}) {
    if (topology_url(name).empty()) return;
  }
  static std::atomic<int> next{0};
  database_ = "strata_topology_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
  dir_ = fs::temp_directory_path() / database_;
  fs::create_directories(dir_);
  auto conn = create_engine(postgres_server_url()).connect();
  conn.execute_script("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  conn.execute_script("CREATE DATABASE " + database_);
}

void TopologyTest::TearDown() {
  if (database_.empty()) return;
  create_engine(postgres_server_url())
      .connect()
      .execute_script("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void TopologyTest::on_primary(const std::string& script) const {
  create_engine(direct_url()).connect().execute_script(script);
}

std::string TopologyTest::on(const char* server, const std::string& params) const {
  std::string url = Url::parse(std::getenv(server)).with_database(database_).unmasked();
  return params.empty() ? url : url + "?" + params;
}

std::string TopologyTest::direct_url(const std::string& params) const {
  return on("STRATA_TEST_POSTGRES_URL", params);
}

std::string TopologyTest::pgbouncer_url(const std::string& params) const {
  return on("STRATA_TEST_PGBOUNCER_URL", params);
}

std::string TopologyTest::standby_url(const std::string& params) const {
  return on("STRATA_TEST_PG_STANDBY_URL", params);
}

}  // namespace strata::test
