// Statement limits as they are written: the duration grammar, strata.toml's [migrations]
// lock_timeout, statement_timeout and lock_retries, and a revision file's own lock_timeout and
// statement_timeout, with the one-line errors a bad value gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/config.hpp>
#include <strata/migrate/runner.hpp>

#include "core/duration.hpp"
#include "revision_text.hpp"

namespace strata::migrate::test {
namespace {
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using strata::detail::format_duration;
using strata::detail::parse_duration;

TEST(Duration, ReadsMillisecondsSecondsMinutesHoursAndPlainSeconds) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("5s"), milliseconds(5'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("1min"), milliseconds(60'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("5"), milliseconds(5'000));
  EXPECT_EQ(parse_duration("0.2"), milliseconds(200));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(Duration, RefusesWhatIsNotOne) {
  for (const char* text : {"", "s", "5 s", "5sec", "-1s", "5m", "0.1ms", "30days", "nan", "inf",
                           "1000h", " 5s", "5s "}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(Duration, WrittenBackAsItWouldBeRead) {
  for (auto ms : {200, 1'000, 1'500, 5'000, 60'000, 90'000, 120'000}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms)) << ms;
  }
  EXPECT_EQ(format_duration(milliseconds(200)), "200ms");
  EXPECT_EQ(format_duration(milliseconds(5'000)), "5s");
  EXPECT_EQ(format_duration(milliseconds(60'000)), "1min");
}

class LimitsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-limits-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& text) {
    std::ofstream(dir_ / "strata.toml") << text;
    return dir_ / "strata.toml";
  }
  std::string error_of(const std::string& text) {
    try {
      Config::load(write(text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(LimitsConfigTest, DefaultsAreFiveSecondsThreeRetriesAndTheServersStatementTimeout) {
  auto options = RunnerOptions::from(Config::load(write("[migrations]\n")));
  EXPECT_EQ(options.limits.lock_timeout, milliseconds(5'000));
  EXPECT_EQ(options.limits.statement_timeout, std::nullopt);
  EXPECT_EQ(options.lock_retries, 3);
}

TEST_F(LimitsConfigTest, KeysOfMigrationsReachTheRunner) {
  auto config = Config::load(write(
      "[migrations]\nversion_table = \"v\"\nlock_timeout = \"200ms\"\nstatement_timeout = 90\n"
      "lock_retries = 0\n"));
  auto options = RunnerOptions::from(config);
  EXPECT_EQ(options.version_table, "v");
  EXPECT_EQ(options.limits.lock_timeout, milliseconds(200));
  EXPECT_EQ(options.limits.statement_timeout, milliseconds(90'000));
  EXPECT_EQ(options.lock_retries, 0);
  EXPECT_EQ(Config::load(write("[migrations]\nlock_timeout = 0.5\n")).migration_lock_timeout(),
            milliseconds(500));
}

TEST_F(LimitsConfigTest, BadValuesNameTheFileLineAndKey) {
  std::string file = (dir_ / "strata.toml").string();
  EXPECT_EQ(error_of("[migrations]\nlock_timeout = \"5 sec\"\n"),
            file +
                ":2: 'migrations.lock_timeout' must be a duration such as 500ms, 5s, 1min or a "
                "number of seconds (0: no limit), not '5 sec'");
  EXPECT_NE(error_of("[migrations]\n\nstatement_timeout = true\n")
                .find(file + ":3: 'migrations.statement_timeout' must be a duration"),
            std::string::npos);
  EXPECT_EQ(error_of("[migrations]\nlock_retries = -1\n"),
            file + ":2: 'migrations.lock_retries' must be a whole number from 0 to 100");
  EXPECT_EQ(error_of("[migrations]\nlock_retries = \"3\"\n"),
            file + ":2: 'migrations.lock_retries' must be a whole number from 0 to 100");
}

TEST(RevisionLimits, TheFilesKeysReplaceTheRunners) {
  Revision r = parse_revision(
      "revision: a1\ndown_revision: null\nlock_timeout: 30s\nstatement_timeout: 0\nupgrade: []\n",
      "versions/x.yaml");
  EXPECT_EQ(r.lock_timeout, milliseconds(30'000));
  EXPECT_EQ(r.statement_timeout, milliseconds(0));
  StatementLimits defaults{milliseconds(200), milliseconds(1'000)};
  auto limits = r.limits(defaults);
  EXPECT_EQ(limits.lock_timeout, milliseconds(30'000));
  EXPECT_EQ(limits.statement_timeout, milliseconds(0));

  Revision plain = parse("  - drop_table: {name: t}\n");
  EXPECT_EQ(plain.lock_timeout, std::nullopt);
  EXPECT_EQ(plain.limits(defaults).lock_timeout, milliseconds(200));
  EXPECT_EQ(plain.limits(defaults).statement_timeout, milliseconds(1'000));
}

TEST(RevisionLimits, ABadValueNamesTheFileAndLine) {
  try {
    parse_revision("revision: a1\ndown_revision: null\nlock_timeout: soon\nupgrade: []\n",
                   "versions/x.yaml");
    FAIL() << "expected a MigrationError";
  } catch (const MigrationError& e) {
    EXPECT_EQ(std::string(e.what()),
              "versions/x.yaml:3: 'lock_timeout' must be a duration such as 500ms, 5s, 1min or a "
              "number of seconds (0: no limit), not 'soon'");
  }
}

}  // namespace
}  // namespace strata::migrate::test
