// A password never shows in a message, whatever form the URL takes and whichever error path
// reports it: URL parsing, strata.toml and DATABASE_URL, and connecting to a real PostgreSQL
// server with a wrong password. The password is "Hunter" + a separator + "2Secret", so that a
// half of it leaking is caught too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/config.hpp>
#include <strata/core/error.hpp>
#include <strata/core/url.hpp>
#include <strata/engine/engine.hpp>
#include <string>
#include <vector>

#include "support/backends.hpp"

namespace strata {
namespace {
namespace fs = std::filesystem;

// Fails the test when `text` holds any part of the password.
void expect_masked(const std::string& text, const std::string& what) {
  EXPECT_EQ(text.find("Hunter"), std::string::npos) << what << " printed: " << text;
  EXPECT_EQ(text.find("2Secret"), std::string::npos) << what << " printed: " << text;
  EXPECT_EQ(text.find("2%53ecret"), std::string::npos) << what << " printed: " << text;
}

// URLs that fail to parse, each through another error path, several malformed around the
// password itself.
const std::vector<std::string> kBadUrls = {
    "postgresql://u:Hunter2Secret@h/db?bogus=1",
    "postgresql://u@h/db?pass%77ord=Hunter2Secret&bogus=1",
    "postgresql://u@h/db?%70assword=Hunter2Secret&bogus",
    "postgresql://u@h/db?passwrod=Hunter2Secret",
    "postgresql://h/db?pw=Hunter2Secret",
    "host=h password=Hunter2Secret dbname=x",
    "postgresql://u@h/db?pasword=Hunter2Secret",
    "postgresql://u@h/db?PASSWORD=Hunter2Secret",
    "postgresql://u@h/db?sslpassword=Hunter2Secret",
    "postgresql://u@h/db?password=Hunter2Secret&password=x",
    "postgresql://u@h/db?password=Hunter%zz2Secret",
    "postgresql://u@h/db?password=Hunter@2Secret&bogus=1",
    "postgresql://u@h/db?password=Hunter:2Secret&bogus=1",
    "sqlite:///x.db?password=Hunter2Secret",
    "sqlite:///x.db?busy_timeout=5&pass%77ord=Hunter2Secret",
    "sqlite:///?password=Hunter2Secret",
    "sqlite://user:Hunter2Secret@/x.db",
    "sqlite://user:Hunter2Secret@host/x.db",
    "sqlite://user:Hunter2Secret/x.db",
    "postgresql://u:Hunter2Secret@h",
    "postgresql://u:Hunter2Secret@h:99999/db",
    "postgresql://u:Hunter2Secret@h:x/db",
    "postgresql://u:Hunter2Secret/db",
    "postgresql://u:Hunter2Secret@h/db%zz",
    "postgresql://u:Hunter2Secret%zz@h/db",
    "postgresql://u:Hunter@2Secret@h/db?bogus=1",
    "postgresql://u:Hunter:2Secret@h/db?bogus=1",
    "postgresql://u:Hunter%402Secret@h/db?bogus=1",
    "postgresql://u:Hunter%3A2Secret@h:/db",
    "postgresql://u:Hunter/2Secret@h/db",
    "postgresql://u:Hunter?2Secret@h/db",
    "postgresql://u:Hunter#2Secret@h/db",
    "postgresql://u:Hunter2Secret@[::1/db",
    "postgresql://u:Hunter2Secret@[::1]x/db",
    "postgresql://u:Hunter2Secret@h/db?application_name=a@b&bogus=1",
    "mysql://u:Hunter2Secret@h/db",
    "u:Hunter2Secret@h/db",
    "postgresql:/u:Hunter2Secret@h/db",
    "postgresql//u:Hunter2Secret@h/db",
};

std::string parse_error(const std::string& text) {
  try {
    Url::parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Masking, EveryUrlParseErrorMasksThePassword) {
  for (const auto& text : kBadUrls) {
    std::string message = parse_error(text);
    EXPECT_NE(message, "no error") << text;
    expect_masked(message, text);
  }
}

TEST(Masking, MaskUrlHidesUserInfoAndPasswordParametersOfAnyText) {
  for (const auto& text : kBadUrls) expect_masked(mask_url(text), text);
  EXPECT_EQ(mask_url("postgresql://u@h/db?pass%77ord=x&sslmode=require"),
            "postgresql://u@h/db?pass%77ord=***&sslmode=require");
  EXPECT_EQ(mask_url("postgresql://u:pw@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(mask_url("postgresql://u@[::1]:5432/db"), "postgresql://u@[::1]:5432/db");
  EXPECT_EQ(mask_url("postgresql://h:5432/db"), "postgresql://h:5432/db");
  EXPECT_EQ(mask_url("postgresql://u:pw/db"), "postgresql://u:***/db");
}

TEST(Masking, MaskUrlsInMasksOnlyTheUrlsOfAMessage) {
  EXPECT_EQ(
      mask_urls_in("The following argument was not expected: postgresql://u:Hunter2Secret@h/db"),
      "The following argument was not expected: postgresql://u:***@h/db");
  EXPECT_EQ(mask_urls_in("--port: Value 'u:pw@h/db' not in range 0 to 65535\nRun with --help"),
            "--port: Value 'u:***@h/db' not in range 0 to 65535\nRun with --help");
  EXPECT_EQ(mask_urls_in("--config: 1 required TEXT missing; ann@example.com"),
            "--config: 1 required TEXT missing; ann@example.com");
  for (const auto& text : kBadUrls) expect_masked(mask_urls_in("was: " + text + " (see)"), text);
  EXPECT_EQ(mask_urls_in("URL 'host=h password=pw dbname=x' has no scheme"),
            "URL 'host=h password=*** dbname=x' has no scheme");
  EXPECT_EQ(mask_urls_in("at 'postgresql://u:my pw@h/db', then"),
            "at 'postgresql://u:***@h/db', then");
  EXPECT_EQ(mask_urls_in("a=b and c:d, see postgresql://h:5432/db"),
            "a=b and c:d, see postgresql://h:5432/db");
}

// libpq takes `password` as a parameter, and users write it; it is the password then.
TEST(Masking, PasswordParameterIsThePasswordAndPrintsMasked) {
  auto url = Url::parse("postgresql://u@h/db?sslmode=disable&password=Hunter2Secret");
  EXPECT_EQ(url.password(), "Hunter2Secret");
  EXPECT_EQ(url.masked(), "postgresql://u@h/db?sslmode=disable&password=***");
  EXPECT_EQ(Url::parse(url.unmasked()).password(), "Hunter2Secret");
  EXPECT_EQ(Url::parse("postgresql://u@h/db?pass%77ord=Hunter2Secret").password(), "Hunter2Secret");
  auto both = Url::parse("postgresql://u:old@h/db?password=Hunter2Secret");
  EXPECT_EQ(both.password(), "Hunter2Secret");  // as libpq: the parameter wins
  EXPECT_EQ(both.masked(), "postgresql://u:***@h/db?password=***");
  auto set = Url::parse("postgresql://u@h/db").with_param("password", "Hunter2Secret");
  EXPECT_EQ(set.password(), "Hunter2Secret");
  expect_masked(set.with_database("other").masked(), "with_database");
}

TEST(Masking, GoodUrlsPrintMasked) {
  for (std::string text :
       {"postgresql://u:Hunter2Secret@h/db", "postgres://u:Hunter%402Secret@h/db",
        "postgresql://u:Hunter%3A2Secret@h:5432/db?sslmode=require",
        "postgresql://u@h/db?password=Hunter%262Secret",
        "postgresql://u:Hunter2%53ecret@[::1]:5432/db"}) {
    auto url = Url::parse(text);
    expect_masked(url.masked(), text);
    EXPECT_NE(url.masked().find("***"), std::string::npos) << url.masked();
    EXPECT_EQ(Url::parse(url.unmasked()).password(), url.password()) << text;
  }
}

class ConfigMasking : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-masking-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    ::unsetenv("DATABASE_URL");
  }
  void TearDown() override {
    ::unsetenv("DATABASE_URL");
    fs::remove_all(dir_);
  }
  // The ConfigError from loading strata.toml with `text` and reading its URL.
  std::string file_error(const std::string& text) {
    std::ofstream(dir_ / "strata.toml") << text;
    try {
      Config::resolve(dir_ / "strata.toml").database_url();
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
};

TEST_F(ConfigMasking, DatabaseUrlFromTheEnvironment) {
  for (const auto& text : kBadUrls) {
    ::setenv("DATABASE_URL", text.c_str(), 1);
    std::string message = file_error("[database]\nurl = \"sqlite:///ok.db\"\n");
    EXPECT_TRUE(message.starts_with("DATABASE_URL: ")) << message;
    expect_masked(message, text);
  }
}

TEST_F(ConfigMasking, UrlInStrataToml) {
  for (const auto& text : kBadUrls) {
    std::string message = file_error("[database]\nurl = \"" + text + "\"\n");
    EXPECT_NE(message.find("strata.toml: "), std::string::npos) << message;
    expect_masked(message, text);
  }
}

// TOML errors quote the file and line, never the text of the value.
TEST_F(ConfigMasking, MalformedTomlAroundTheUrl) {
  for (std::string line :
       {"url = \"postgresql://u:Hunter2Secret@h/db", "url = postgresql://u:Hunter2Secret@h/db",
        "url = \"postgresql://u:Hunter\\2Secret@h/db\"",
        "url = \"postgresql://u:Hunter2Secret@h/db\" x",
        "url = 'postgresql://u:Hunter2Secret@h/db'\nurl = 'x'",
        "url = \"postgresql://u:Hunter2Secret@h/db\"\npool_size = \"x\""}) {
    std::string message = file_error("[database]\n" + line + "\n");
    EXPECT_NE(message, "no error") << line;
    expect_masked(message, line);
  }
}

TEST_F(ConfigMasking, UrlGivenAsTheConfigFile) {
  try {
    Config::resolve(fs::path("postgresql://u:Hunter2Secret@h/db"));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    expect_masked(e.what(), "--config");
  }
}

// A URL to the test server as the role that needs a password, with `credentials` after the
// scheme and `params` as its query.
std::string strata_pw_url(const std::string& credentials, const std::string& params = "") {
  auto server = Url::parse(test::postgres_server_url());
  return "postgresql://" + credentials + "@" + server.host() + ":" +
         std::to_string(server.port().value_or(5432)) + "/postgres" +
         (params.empty() ? "" : "?" + params);
}

class PostgresMasking : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::skip_postgres()) GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1: PostgreSQL tests skipped";
    ASSERT_FALSE(test::postgres_server_url().empty()) << "run through scripts/with-postgres";
  }
};

TEST_F(PostgresMasking, WrongPasswordInAnyFormIsRefusedWithoutPrintingIt) {
  for (const auto& text :
       {strata_pw_url("strata_pw:Hunter2Secret"), strata_pw_url("strata_pw:Hunter%402Secret"),
        strata_pw_url("strata_pw:Hunter2%53ecret"), strata_pw_url("strata_pw:Hunter%3A2Secret"),
        strata_pw_url("strata_pw", "password=Hunter2Secret"),
        strata_pw_url("strata_pw", "pass%77ord=Hunter2Secret&application_name=masking"),
        strata_pw_url("strata_pw:secret", "password=Hunter2Secret")}) {
    try {
      create_engine(text).connect();
      ADD_FAILURE() << "connected with a wrong password: " << Url::parse(text).masked();
    } catch (const OperationalError& e) {
      expect_masked(e.what(), text);
      expect_masked(e.url(), text);
      EXPECT_NE(std::string(e.what()).find("strata_pw"), std::string::npos) << e.what();
    }
  }
}

TEST_F(PostgresMasking, PasswordParameterReachesTheServer) {
  auto engine = create_engine(strata_pw_url("strata_pw", "password=secret"));
  EXPECT_EQ(engine.connect().execute("SELECT current_user").scalar<std::string>(), "strata_pw");
  EXPECT_EQ(engine.url().masked().find("secret"), std::string::npos) << engine.url().masked();
}

// Settings the driver or the pool reject after the URL parsed.
TEST_F(PostgresMasking, BadSettingsAreRefusedWithoutPrintingIt) {
  for (const auto& params : {"sslmode=bogus", "connect_timeout=x", "pool_size=x", "pool_timeout=-1",
                             "password=Hunter2Secret&sslmode=bogus"}) {
    std::string text = strata_pw_url("strata_pw:Hunter2Secret", params);
    try {
      create_engine(text).connect();
      ADD_FAILURE() << "accepted " << params;
    } catch (const Error& e) {
      expect_masked(e.what(), text);
    }
  }
}

}  // namespace
}  // namespace strata
