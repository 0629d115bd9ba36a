// A URL marked as leading through a transaction pooler (prepared_statements=false, alias
// pgbouncer=true), and the direct URL migrations take instead: [migrations] url in strata.toml,
// STRATA_MIGRATION_URL winning over it, --url (the override) over both, and the one-line refusal
// of a pooled URL that says what to set.
#include <fmt/format.h>
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

std::string error_of(const auto& call) {
  try {
    call();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(PooledUrl, MarkedByEitherParameterInAnySpelling) {
  EXPECT_FALSE(Url::parse("postgresql://h/app").pooled());
  EXPECT_FALSE(Url::parse("postgresql://h/app?prepared_statements=true").pooled());
  EXPECT_FALSE(Url::parse("postgresql://h/app?pgbouncer=off").pooled());
  for (const char* marked :
       {"prepared_statements=false", "prepared_statements=0", "prepared_statements=no",
        "pgbouncer=true", "pgbouncer=on", "pgbouncer=1&prepared_statements=off"}) {
    EXPECT_TRUE(Url::parse(std::string("postgresql://h/app?") + marked).pooled()) << marked;
  }
}

TEST(PooledUrl, BadOrContradictoryValuesNameTheParameter) {
  auto bad = error_of([] { Url::parse("postgresql://u:pw@h/app?pgbouncer=maybe").pooled(); });
  EXPECT_EQ(bad,
            "bad value 'maybe' for 'pgbouncer' in database URL "
            "'postgresql://u:***@h/app?pgbouncer=maybe': expected true or false");
  auto both = error_of(
      [] { Url::parse("postgresql://h/app?pgbouncer=true&prepared_statements=true").pooled(); });
  EXPECT_NE(both.find("'prepared_statements' and 'pgbouncer' contradict each other"),
            std::string::npos)
      << both;
}

// A SQLite file has no server connection to pool: the marker is a mistake, not a no-op.
TEST(PooledUrl, RefusedOnSqlite) {
  for (const char* name : {"pgbouncer", "prepared_statements"}) {
    auto error = error_of([&] { Url::parse(std::string("sqlite:///app.db?") + name + "=true"); });
    EXPECT_EQ(error, fmt::format("parameter '{}' in database URL 'sqlite:///app.db?{}=true' is for "
                                 "a PostgreSQL server behind a transaction pooler, and a SQLite "
                                 "file has none: remove it",
                                 name, name));
  }
}

class MigrationUrlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("strata-migration-url-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    clear_environment();
  }
  void TearDown() override {
    clear_environment();
    fs::remove_all(dir_);
  }
  static void clear_environment() {
    for (const char* name : {"DATABASE_URL", "STRATA_MIGRATION_URL"}) ::unsetenv(name);
  }
  fs::path write(const std::string& text) {
    std::ofstream(dir_ / "strata.toml") << text;
    return dir_ / "strata.toml";
  }
  Config resolve(const std::string& text) { return Config::resolve(write(text)); }

  fs::path dir_;
};

constexpr const char* kPooled =
    "[database]\nurl = \"postgresql://app:pw@bouncer:6432/app?pgbouncer=true\"\n";

TEST_F(MigrationUrlTest, DatabaseUrlWhenNoneIsSet) {
  auto config = resolve("[database]\nurl = \"postgresql://app@db/app\"\n");
  EXPECT_EQ(config.migration_url().masked(), "postgresql://app@db/app");
}

TEST_F(MigrationUrlTest, FileKeyThenEnvironmentThenOverride) {
  auto config =
      resolve(std::string(kPooled) + "[migrations]\nurl = \"postgresql://app:pw@db:5432/app\"\n");
  EXPECT_EQ(config.migration_url().masked(), "postgresql://app:***@db:5432/app");
  EXPECT_TRUE(config.database_url().pooled());  // the application's URL is left alone
  ::setenv("STRATA_MIGRATION_URL", "postgresql://admin@db-env/app", 1);
  config = resolve(std::string(kPooled) + "[migrations]\nurl = \"postgresql://app@db/app\"\n");
  EXPECT_EQ(config.migration_url().masked(), "postgresql://admin@db-env/app");
  config.set_url_override("postgresql://cli@db-cli/app");
  EXPECT_EQ(config.migration_url().masked(), "postgresql://cli@db-cli/app");
}

// The environment wins over the file as a whole: a strata.toml reused where DATABASE_URL names
// another database must not migrate the file's server.
TEST_F(MigrationUrlTest, FileKeyGoesWithTheFilesDatabaseUrl) {
  std::string text =
      "[database]\nurl = \"postgresql://app@prod/app\"\n"
      "[migrations]\nurl = \"postgresql://app@prod-direct/app\"\n";
  EXPECT_EQ(resolve(text).migration_url().masked(), "postgresql://app@prod-direct/app");
  ::setenv("DATABASE_URL", "postgresql://app@staging/app", 1);
  EXPECT_EQ(resolve(text).migration_url().masked(), "postgresql://app@staging/app");
  ::setenv("DATABASE_URL", "postgresql://app@staging-bouncer/app?pgbouncer=true", 1);
  auto error = error_of([&] { resolve(text).migration_url(); });
  EXPECT_NE(error.find("DATABASE_URL comes from the environment, so set STRATA_MIGRATION_URL"),
            std::string::npos)
      << error;
  ::setenv("STRATA_MIGRATION_URL", "postgresql://app@staging/app", 1);
  EXPECT_EQ(resolve(text).migration_url().masked(), "postgresql://app@staging/app");
}

TEST_F(MigrationUrlTest, RelativeSqlitePathResolvesAgainstTheFile) {
  auto config =
      resolve("[database]\nurl = \"sqlite:///app.db\"\n[migrations]\nurl = \"sqlite:///m.db\"\n");
  EXPECT_EQ(config.migration_url().database(), (dir_ / "m.db").lexically_normal().string());
}

TEST_F(MigrationUrlTest, PooledDatabaseUrlIsRefusedSayingWhatToSet) {
  auto file = write(kPooled);
  auto error = error_of([&] { Config::resolve(file).migration_url(); });
  EXPECT_EQ(error, fmt::format("database URL postgresql://app:***@bouncer:6432/app?pgbouncer=true "
                               "is marked pooled (pgbouncer=true), and migrations need a direct "
                               "connection to the server: set [migrations] url in {} or "
                               "STRATA_MIGRATION_URL to one",
                               fs::absolute(file).lexically_normal().string()));
  ::setenv("DATABASE_URL", "postgresql://h/app?prepared_statements=false", 1);
  error = error_of([&] { Config::resolve(file).migration_url(); });
  EXPECT_NE(error.find("marked pooled (prepared_statements=false)"), std::string::npos) << error;
  // Given on the spot, the URL wins over any migration URL: only another URL helps.
  auto config = Config::resolve(file);
  config.set_url_override("postgresql://h/app?pgbouncer=yes");
  error = error_of([&] { config.migration_url(); });
  EXPECT_NE(error.find("(pgbouncer=yes), and migrations need a direct connection to the server: "
                       "give the server's own URL instead"),
            std::string::npos)
      << error;
}

TEST_F(MigrationUrlTest, PooledMigrationUrlIsRefusedNamingWhereItCameFrom) {
  auto file = write(std::string(kPooled) +
                    "[migrations]\nscript_location = \"db\"\nurl = \"postgresql://h/app?pgbouncer="
                    "true\"\n");
  auto error = error_of([&] { Config::resolve(file).migration_url(); });
  EXPECT_EQ(error, fmt::format("{}:5: migrations.url: postgresql://h/app?pgbouncer=true is marked "
                               "pooled (pgbouncer=true), and migrations need a direct connection "
                               "to the server: name the server itself, not the pooler",
                               fs::absolute(file).lexically_normal().string()));
  ::setenv("STRATA_MIGRATION_URL", "postgresql://h/app?prepared_statements=off", 1);
  error = error_of([&] { Config::resolve(file).migration_url(); });
  EXPECT_TRUE(
      error.starts_with("STRATA_MIGRATION_URL: postgresql://h/app?prepared_statements=off "
                        "is marked pooled"))
      << error;
}

TEST_F(MigrationUrlTest, BadValuesNameTheFileLineAndKey) {
  auto type = error_of([&] { resolve("[migrations]\nurl = 5\n"); });
  EXPECT_TRUE(type.ends_with("strata.toml:2: 'migrations.url' must be a string")) << type;
  auto scheme =
      error_of([&] { resolve("[migrations]\nurl = \"mysql://u:pw@h/app\"\n").migration_url(); });
  EXPECT_TRUE(
      scheme.ends_with("strata.toml:2: migrations.url: unknown scheme 'mysql' in database "
                       "URL 'mysql://u:***@h/app': expected sqlite or postgresql"))
      << scheme;
  ::setenv("STRATA_MIGRATION_URL", "postgresql://u:pw@h/app?pool_sise=2", 1);
  auto param = error_of([&] { resolve("").migration_url(); });
  EXPECT_EQ(param,
            "STRATA_MIGRATION_URL: unknown parameter 'pool_sise' in database URL "
            "'postgresql://u:***@h/app?pool_sise=2'");
  ::setenv("STRATA_MIGRATION_URL", "postgresql://h/app?pgbouncer=perhaps", 1);
  auto value = error_of([&] { resolve("").migration_url(); });
  EXPECT_TRUE(value.starts_with("STRATA_MIGRATION_URL: bad value 'perhaps' for 'pgbouncer'"))
      << value;
}

}  // namespace
}  // namespace strata
