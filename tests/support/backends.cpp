#include "backends.hpp"

#include <unistd.h>

#include <cstdlib>
#include <random>

namespace strata::test {
namespace fs = std::filesystem;
bool skip_postgres() {
  const char* skip = std::getenv("STRATA_SKIP_POSTGRES");
  return skip && std::string(skip) == "1";
}

namespace {

std::string database_name() {
  return "strata_test_" + std::to_string(::getpid());
}

// Creates this process's database on first use and drops it at exit.
class PostgresDatabase : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!created_) return;
    auto conn = create_engine(postgres_server_url()).connect();
    conn.execute_script("DROP DATABASE IF EXISTS " + database_name() + " WITH (FORCE)");
  }
  void ensure() {
    if (created_) return;
    auto conn = create_engine(postgres_server_url()).connect();
    conn.execute_script("DROP DATABASE IF EXISTS " + database_name() + " WITH (FORCE)");
    conn.execute_script("CREATE DATABASE " + database_name());
    created_ = true;
  }

 private:
  bool created_ = false;
};

PostgresDatabase* const environment =
    dynamic_cast<PostgresDatabase*>(::testing::AddGlobalTestEnvironment(new PostgresDatabase));

}  // namespace

std::string postgres_server_url() {
  const char* url = std::getenv("STRATA_TEST_POSTGRES_URL");
  return url ? url : "";
}

std::string postgres_test_url() {
  auto server = Url::parse(postgres_server_url());
  std::string text = server.unmasked();
  auto slash = text.rfind("/postgres");
  return text.substr(0, slash) + "/" + database_name();
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

void DatabaseTest::SetUp() {
  static std::mt19937_64 random{std::random_device{}()};
  dir_ = fs::temp_directory_path() / ("strata-test-" + std::to_string(random()));
  fs::create_directories(dir_);
  if (is_sqlite()) return;
  if (skip_postgres()) GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1: PostgreSQL tests skipped";
  ASSERT_FALSE(postgres_server_url().empty())
      << "STRATA_TEST_POSTGRES_URL is not set: run the tests through `make test`, which starts "
         "a PostgreSQL server, or set STRATA_SKIP_POSTGRES=1 to skip PostgreSQL";
  environment->ensure();
  auto conn = create_engine(postgres_test_url()).connect();
  conn.execute_script("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
}

void DatabaseTest::TearDown() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string DatabaseTest::url(const std::string& params) const {
  std::string base = is_sqlite() ? "sqlite:///" + (dir_ / "test.db").string() : postgres_test_url();
  if (params.empty()) return base;
  return base + (base.find('?') == std::string::npos ? "?" : "&") + params;
}

}  // namespace strata::test
