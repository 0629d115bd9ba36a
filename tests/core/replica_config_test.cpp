// Read replicas in strata.toml and the environment: [database] replicas and replica_max_lag,
// DATABASE_REPLICA_URLS and DATABASE_REPLICA_MAX_LAG winning over them, and the one-line errors
// for bad values (the file and line or the variable named, passwords masked).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/config.hpp>
#include <strata/core/error.hpp>

namespace strata {
namespace {
namespace fs = std::filesystem;

class ReplicaConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("strata-replicas-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    clear_environment();
  }
  void TearDown() override {
    clear_environment();
    fs::remove_all(dir_);
  }
  static void clear_environment() {
    for (const char* name : {"DATABASE_URL", "DATABASE_REPLICA_URLS", "DATABASE_REPLICA_MAX_LAG"}) {
      ::unsetenv(name);
    }
  }
  fs::path write(const std::string& text) {
    std::ofstream(dir_ / "strata.toml") << text;
    return dir_ / "strata.toml";
  }
  // The message of the ConfigError that loading `text` (and asking for the replicas) throws.
  std::string error_of(const std::string& text) {
    try {
      Config::resolve(write(text)).replica_urls();
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

constexpr const char* kPrimary = "[database]\nurl = \"postgresql://app:pw@primary/app\"\n";

TEST_F(ReplicaConfigTest, NoReplicasAndTenSecondsByDefault) {
  auto config = Config::resolve(write(kPrimary));
  EXPECT_TRUE(config.replica_urls().empty());
  EXPECT_EQ(config.replica_max_lag(), std::chrono::seconds(10));
}

TEST_F(ReplicaConfigTest, FileReplicasGetThePoolSettings) {
  auto config = Config::resolve(
      write(std::string(kPrimary) +
            "pool_size = 3\nreplicas = [\"postgresql://app@r1/app\", "
            "\"postgresql://app@r2/app?pool_size=7\"]\nreplica_max_lag = \"1.5s\"\n"));
  auto urls = config.replica_urls();
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[0].host(), "r1");
  EXPECT_EQ(urls[0].param("pool_size"), "3");
  EXPECT_EQ(urls[1].param("pool_size"), "7");  // the URL's own parameter wins
  EXPECT_EQ(config.replica_max_lag(), std::chrono::milliseconds(1500));
}

TEST_F(ReplicaConfigTest, EnvironmentWinsOverTheFile) {
  ::setenv("DATABASE_REPLICA_URLS", " postgresql://app@e1/app ,, postgresql://app@e2/app", 1);
  ::setenv("DATABASE_REPLICA_MAX_LAG", "250ms", 1);
  auto config =
      Config::resolve(write(std::string(kPrimary) + "replicas = [\"postgresql://app@f1/app\"]\n"
                                                    "replica_max_lag = \"1min\"\n"));
  auto urls = config.replica_urls();
  ASSERT_EQ(urls.size(), 2u);
  EXPECT_EQ(urls[0].host(), "e1");
  EXPECT_EQ(urls[1].host(), "e2");
  EXPECT_EQ(config.replica_max_lag(), std::chrono::milliseconds(250));
}

TEST_F(ReplicaConfigTest, BadValuesNameTheirFileLineOrVariable) {
  auto not_list = error_of(std::string(kPrimary) + "replicas = \"postgresql://r/app\"\n");
  EXPECT_NE(not_list.find("strata.toml:3: 'database.replicas' must be a list of URLs"),
            std::string::npos)
      << not_list;
  auto lag = error_of(std::string(kPrimary) + "replica_max_lag = \"10 seconds\"\n");
  EXPECT_NE(lag.find("strata.toml:3: 'database.replica_max_lag' must be a duration"),
            std::string::npos)
      << lag;
  ::setenv("DATABASE_REPLICA_MAX_LAG", "-1s", 1);
  auto env_lag = error_of(kPrimary);
  EXPECT_NE(env_lag.find("DATABASE_REPLICA_MAX_LAG must be a duration"), std::string::npos)
      << env_lag;
}

TEST_F(ReplicaConfigTest, BadUrlsAreNamedWithTheirPasswordsMasked) {
  auto file = error_of(std::string(kPrimary) +
                       "\nreplicas = [\"postgresql://app:secret@r1/app?bogus=1\"]\n");
  EXPECT_NE(file.find("strata.toml:4: "), std::string::npos) << file;
  EXPECT_NE(file.find("bogus"), std::string::npos) << file;
  EXPECT_EQ(file.find("secret"), std::string::npos) << file;
  ::setenv("DATABASE_REPLICA_URLS", "postgresql://app:secret@r1:99999/app", 1);
  auto env = error_of(kPrimary);
  EXPECT_EQ(env.rfind("DATABASE_REPLICA_URLS: ", 0), 0u) << env;
  EXPECT_EQ(env.find("secret"), std::string::npos) << env;
}

TEST_F(ReplicaConfigTest, SqliteHasNoReplicas) {
  auto sqlite_replica = error_of(std::string(kPrimary) + "replicas = [\"sqlite:///copy.db\"]\n");
  EXPECT_NE(sqlite_replica.find("read replica sqlite:///copy.db is not PostgreSQL"),
            std::string::npos)
      << sqlite_replica;
  ::setenv("DATABASE_REPLICA_URLS", "postgresql://app:secret@r1/app", 1);
  auto sqlite_primary = error_of("[database]\nurl = \"sqlite:///app.db\"\n");
  EXPECT_NE(sqlite_primary.find("DATABASE_REPLICA_URLS: read replicas need a PostgreSQL database"),
            std::string::npos)
      << sqlite_primary;
  EXPECT_EQ(sqlite_primary.find("secret"), std::string::npos) << sqlite_primary;
}

}  // namespace
}  // namespace strata
