// The fixture every database test uses: each test runs once on a fresh SQLite file and once on
// a fresh schema of the PostgreSQL server that `make test` starts (STRATA_TEST_POSTGRES_URL).
// PostgreSQL tests fail when no server is given, and skip only with STRATA_SKIP_POSTGRES=1.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <strata/strata.hpp>
#include <string>

namespace strata::test {

// STRATA_SKIP_POSTGRES=1: the only way PostgreSQL tests may skip.
bool skip_postgres();
// The server's URL (database "postgres"), or empty when PostgreSQL is skipped.
std::string postgres_server_url();
// A URL for this test process's own database on the server.
std::string postgres_test_url();

class DatabaseTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Backend backend() const { return GetParam(); }
  bool is_sqlite() const { return GetParam() == Backend::sqlite; }
  // A fresh empty database's URL; extra query parameters are appended.
  std::string url(const std::string& params = "") const;
  Engine make_engine(const std::string& params = "") const { return create_engine(url(params)); }
  // A folder that lives for this test.
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace strata::test

#define STRATA_ON_BOTH_BACKENDS(Suite)                                             \
  INSTANTIATE_TEST_SUITE_P(                                                        \
      Backends, Suite,                                                             \
      ::testing::Values(::strata::Backend::sqlite, ::strata::Backend::postgresql), \
      ::strata::test::backend_name)
