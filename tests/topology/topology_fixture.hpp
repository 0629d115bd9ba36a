// The servers scripts/with-postgres starts beside the primary, as users run them in production:
// a streaming hot standby of it, and PgBouncer in transaction pooling mode in front of it. Each
// test gets a database of its own on the primary, reached directly, through PgBouncer, or (once
// replayed) on the standby. PostgreSQL only: a test fails when the servers are not given, and
// skips only with STRATA_SKIP_POSTGRES=1.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace strata::test {

// PgBouncer's default_pool_size in scripts/with-postgres: the most server connections one
// database and user get through it, however many clients there are.
inline constexpr int kPgBouncerPoolSize = 20;

// The URL in the environment variable `name` (one of those scripts/with-postgres exports), or
// empty after failing the current test (fatally) with a message saying how to get it.
std::string topology_url(const char* name);

// Waits until the standby at `standby` replayed everything the primary at `primary` wrote so
// far; fails the test after 30 s. Reading one's writes on the standby needs this first; so does
// connecting there to a database created since.
void wait_for_replay(const std::string& primary, const std::string& standby);

class TopologyTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // This test's database, directly on the primary; `params` are appended as the query.
  std::string direct_url(const std::string& params = "") const;
  // The same database through PgBouncer.
  std::string pgbouncer_url(const std::string& params = "") const;
  // The same database on the standby (it holds what the primary wrote once replayed).
  std::string standby_url(const std::string& params = "") const;
  const std::string& database() const { return database_; }
  // Runs `script` in this test's database on the primary.
  void on_primary(const std::string& script) const;
  // A folder that lives for this test.
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::string on(const char* server, const std::string& params) const;

  std::string database_;
  std::filesystem::path dir_;
};

}  // namespace strata::test
