// The strata binary never prints a password, on stdout or stderr, whichever way the URL comes
// in (--url, DATABASE_URL, strata.toml, a URL given as --config) and whatever is wrong with it,
// down to a wrong password refused by a real PostgreSQL server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/url.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace {
namespace fs = std::filesystem;
using strata::test::Outcome;

// Malformed in different places, several around the password itself.
const std::vector<std::string> kBadUrls = {
    "postgresql://u:Hunter2Secret@h/db?bogus=1",
    "postgresql://u@h/db?pass%77ord=Hunter2Secret&bogus=1",
    "postgresql://u@h/db?passwrod=Hunter2Secret",
    "sqlite:///x.db?password=Hunter2Secret",
    "sqlite://user:Hunter2Secret@/x.db",
    "postgresql://u:Hunter2Secret/db",
    "postgresql://u:Hunter@2Secret@h:x/db",
    "postgresql://u:Hunter/2Secret@h/db",
    "postgresql://u:Hunter%zz2Secret@h/db",
    "u:Hunter2Secret@h/db",
    "host=h password=Hunter2Secret dbname=x",
    "postgresql://h/db?pw=Hunter2Secret",
};

class CliMasking : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-mask-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "db" / "versions");
    write_config("sqlite:///app.db");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_config(const std::string& url) const {
    std::ofstream(dir_ / "strata.toml")
        << "[database]\nurl = \"" << url << "\"\n[migrations]\nscript_location = \"db\"\n";
  }
  Outcome strata(const std::string& args, const std::string& env = "") const {
    return strata::test::run_strata(dir_, args, env);
  }

  fs::path dir_;
};

// Fails the test when what the run printed holds any part of the password.
void expect_masked(const Outcome& run, const std::string& what) {
  for (const std::string& text : {run.out, run.err}) {
    EXPECT_EQ(text.find("Hunter"), std::string::npos) << what << " printed: " << text;
    EXPECT_EQ(text.find("2Secret"), std::string::npos) << what << " printed: " << text;
  }
}

TEST_F(CliMasking, BadUrlFromTheCommandLine) {
  for (const auto& url : kBadUrls) {
    auto run = strata("--url '" + url + "' current");
    EXPECT_EQ(run.status, 2) << url << ": " << run.err;
    expect_masked(run, url);
    expect_masked(strata("current --url='" + url + "' --json"), url);
  }
}

// A URL typed where no argument goes: the parser's message quotes it.
TEST_F(CliMasking, UrlInTheWrongPlace) {
  for (const auto& url : kBadUrls) {
    auto run = strata("current '" + url + "'");
    EXPECT_EQ(run.status, 2) << url << ": " << run.err;
    expect_masked(run, url);
  }
}

// A URL typed where a revision, range or target goes: the command's own error quotes it.
TEST_F(CliMasking, UrlInTheTargetsPlace) {
  auto urls = kBadUrls;
  urls.push_back("postgresql://u:Hunter 2Secret@h/db");  // a good URL with a space in its password
  for (const std::string command : {"upgrade", "downgrade", "stamp", "show", "history -r",
                                    "revision -m x --head", "merge -m x", "lint", "schema --at"}) {
    for (const auto& url : urls) {
      auto run = strata(command + " '" + url + "'");
      EXPECT_EQ(run.status, 2) << command << " " << url << ": " << run.err;
      expect_masked(run, command + " " + url);
    }
  }
}

TEST_F(CliMasking, BadUrlFromTheEnvironment) {
  for (const auto& url : kBadUrls) {
    auto run = strata("current", "DATABASE_URL='" + url + "'");
    EXPECT_EQ(run.status, 2) << url << ": " << run.err;
    EXPECT_NE(run.err.find("URL"), std::string::npos) << run.err;
    expect_masked(run, url);
  }
}

TEST_F(CliMasking, BadUrlInStrataToml) {
  for (const auto& url : kBadUrls) {
    write_config(url);
    auto run = strata("upgrade head");
    EXPECT_EQ(run.status, 2) << url << ": " << run.err;
    expect_masked(run, url);
  }
}

TEST_F(CliMasking, UrlGivenAsTheConfigFile) {
  auto run = strata("--config 'postgresql://u:Hunter2Secret@h/db' current");
  EXPECT_EQ(run.status, 2) << run.err;
  expect_masked(run, "--config");
}

TEST_F(CliMasking, HelpShowsTheDatabaseMasked) {
  auto run = strata("--url 'postgresql://u@h/db?password=Hunter2Secret' --help");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("database: postgresql://u@h/db?password=***"), std::string::npos)
      << run.out;
  expect_masked(run, "--help");
}

// The role strata_pw needs the password "secret"; the server refuses every other one.
TEST_F(CliMasking, WrongPasswordRefusedByPostgres) {
  if (strata::test::skip_postgres()) GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1";
  ASSERT_FALSE(strata::test::postgres_server_url().empty()) << "run through scripts/with-postgres";
  auto server = strata::Url::parse(strata::test::postgres_server_url());
  std::string at = "@" + server.host() + ":" + std::to_string(server.port().value_or(5432));
  for (const std::string& url :
       {"postgresql://strata_pw:Hunter2Secret" + at + "/postgres",
        "postgresql://strata_pw:Hunter%402Secret" + at + "/postgres",
        "postgresql://strata_pw" + at + "/postgres?password=Hunter2Secret",
        "postgresql://strata_pw" + at + "/postgres?pass%77ord=Hunter2Secret"}) {
    auto run = strata("-v --url '" + url + "' current");
    EXPECT_EQ(run.status, 1) << url << ": " << run.err;
    EXPECT_NE(run.err.find("strata_pw"), std::string::npos) << run.err;
    expect_masked(run, url);
    write_config(url);
    auto from_file = strata("upgrade head");
    EXPECT_EQ(from_file.status, 1) << from_file.err;
    expect_masked(from_file, url);
  }
  auto right = strata("--url 'postgresql://strata_pw" + at + "/postgres?password=secret' current");
  EXPECT_EQ(right.status, 0) << right.err;
}

}  // namespace
