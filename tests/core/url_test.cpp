#include <gtest/gtest.h>

#include <strata/core/error.hpp>
#include <strata/core/url.hpp>

namespace strata {
namespace {

std::string error_of(std::string_view text) {
  try {
    Url::parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Url, SqliteRelativeAbsoluteAndMemory) {
  auto rel = Url::parse("sqlite:///data/app.db");
  EXPECT_EQ(rel.backend(), Backend::sqlite);
  EXPECT_EQ(rel.database(), "data/app.db");
  EXPECT_FALSE(rel.is_memory());
  EXPECT_EQ(Url::parse("sqlite:////var/lib/app/app.db").database(), "/var/lib/app/app.db");
  EXPECT_TRUE(Url::parse("sqlite://").is_memory());
  EXPECT_TRUE(Url::parse("sqlite:///:memory:").is_memory());
  EXPECT_EQ(Url::parse("sqlite:///a%20b.db").database(), "a b.db");
}

TEST(Url, RelativeSqlitePathResolvesAgainstFolder) {
  auto url = Url::parse("sqlite:///data/app.db").resolved_against("/srv/app");
  EXPECT_EQ(url.database(), "/srv/app/data/app.db");
  EXPECT_EQ(Url::parse("sqlite:////abs.db").resolved_against("/srv").database(), "/abs.db");
  EXPECT_TRUE(Url::parse("sqlite://").resolved_against("/srv").is_memory());
}

TEST(Url, PostgresFullForm) {
  auto url = Url::parse("postgresql://app:s%40cr%3At@db.example:5433/appdb?sslmode=require");
  EXPECT_EQ(url.backend(), Backend::postgresql);
  EXPECT_EQ(url.username(), "app");
  EXPECT_EQ(url.password(), "s@cr:t");
  EXPECT_EQ(url.host(), "db.example");
  EXPECT_EQ(url.port(), 5433);
  EXPECT_EQ(url.database(), "appdb");
  EXPECT_EQ(url.param("sslmode"), "require");
  EXPECT_EQ(Url::parse("postgres://u@h/d").backend(), Backend::postgresql);
}

TEST(Url, PostgresIpv6AndSocket) {
  auto v6 = Url::parse("postgresql://u@[::1]:5432/db");
  EXPECT_EQ(v6.host(), "::1");
  EXPECT_EQ(v6.port(), 5432);
  EXPECT_EQ(v6.masked(), "postgresql://u@[::1]:5432/db");
  auto socket = Url::parse("postgresql:///db?host=/var/run/postgresql");
  EXPECT_EQ(socket.host(), "");
  EXPECT_EQ(socket.param("host"), "/var/run/postgresql");
  EXPECT_EQ(socket.database(), "db");
}

TEST(Url, PasswordIsMaskedEverywhere) {
  auto url = Url::parse("postgresql://app:hunter2@db/app");
  EXPECT_EQ(url.masked(), "postgresql://app:***@db/app");
  EXPECT_EQ(url.unmasked(), "postgresql://app:hunter2@db/app");
  EXPECT_EQ(mask_url("postgresql://app:hunter2@db/app?bad=1"), "postgresql://app:***@db/app?bad=1");
  auto message = error_of("postgresql://app:hunter2@db/app?bad=1");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(message.find("app:***@db"), std::string::npos) << message;
}

TEST(Url, UnencodedCharactersInPasswordsNeverLeak) {
  for (const char* url : {"postgresql://app:p@ss@db/app?bad=1", "postgresql://app:pa/ss@db/app",
                          "postgresql://app:p?ss@db/app", "postgresql://app:p#ss@db:x/app"}) {
    std::string message = error_of(url);
    EXPECT_NE(message, "no error") << url;
    EXPECT_EQ(message.find("ss@"), std::string::npos) << message;
    EXPECT_NE(message.find("app:***@"), std::string::npos) << message;
  }
  EXPECT_NE(error_of("postgresql://app:pa/ss@db/app").find("percent-encode"), std::string::npos);
  EXPECT_EQ(Url::parse("postgresql://app:p%40ss@db/app").password(), "p@ss");
  EXPECT_EQ(mask_url("postgresql://app:p@ss@db/app"), "postgresql://app:***@db/app");
}

TEST(Url, MalformedUrlsNameTheBadPart) {
  EXPECT_NE(error_of("app.db").find("has no scheme"), std::string::npos);
  EXPECT_NE(error_of("mysql://u@h/d").find("unknown scheme 'mysql'"), std::string::npos);
  EXPECT_NE(error_of("postgresql://u@h:5432/").find("names no database"), std::string::npos);
  EXPECT_NE(error_of("postgresql://u@h").find("names no database"), std::string::npos);
  EXPECT_NE(error_of("postgresql://u@h:99999/d")
                .find("bad port in database URL 'postgresql://u@h:99999/d'"),
            std::string::npos);
  EXPECT_NE(
      error_of("postgresql://u@h:abc/d").find("bad port in database URL 'postgresql://u@h:abc/d'"),
      std::string::npos);
  EXPECT_NE(error_of("postgresql://u@h:/d").find("bad port"), std::string::npos);
  EXPECT_NE(error_of("postgresql://u@[::1/d").find("unclosed '['"), std::string::npos);
  EXPECT_NE(error_of("postgresql://u:p%zz@h/d").find("percent-encoding in the password"),
            std::string::npos);
  EXPECT_NE(error_of("sqlite://host/app.db").find("'sqlite://host/app.db' has a host"),
            std::string::npos);
  EXPECT_NE(error_of("sqlite:///").find("names no file"), std::string::npos);
}

TEST(Url, UnknownAndRepeatedParametersAreErrors) {
  EXPECT_NE(error_of("sqlite:///a.db?busy_timeot=5").find("unknown parameter 'busy_timeot'"),
            std::string::npos);
  EXPECT_NE(error_of("sqlite:///a.db?sslmode=require").find("unknown parameter 'sslmode'"),
            std::string::npos);
  EXPECT_NE(error_of("postgresql://h/d?journal_mode=wal").find("unknown parameter"),
            std::string::npos);
  EXPECT_NE(error_of("sqlite:///a.db?pool_size=1&pool_size=2").find("given twice"),
            std::string::npos);
  auto ok = Url::parse("sqlite:///a.db?busy_timeout=100&journal_mode=delete&pool_size=3");
  EXPECT_EQ(ok.param("busy_timeout"), "100");
  EXPECT_EQ(ok.params().size(), 3u);
}

TEST(Url, MaskedFormRoundTrips) {
  const char* text = "postgresql://app:pw@db:5432/app?application_name=web&connect_timeout=3";
  auto url = Url::parse(text);
  EXPECT_EQ(url.unmasked(), text);
  EXPECT_EQ(Url::parse(url.unmasked()).password(), "pw");
  EXPECT_EQ(Url::parse("sqlite:///data/app.db").masked(), "sqlite:///data/app.db");
  EXPECT_EQ(Url::parse("sqlite://").masked(), "sqlite://");
}

TEST(Url, WithDatabaseKeepsServerAndSettings) {
  auto url = Url::parse("postgresql://app:pw@db:5432/app?connect_timeout=3");
  EXPECT_EQ(url.with_database("scratch").unmasked(),
            "postgresql://app:pw@db:5432/scratch?connect_timeout=3");
  EXPECT_EQ(url.with_database("scratch").masked(),
            "postgresql://app:***@db:5432/scratch?connect_timeout=3");
}

}  // namespace
}  // namespace strata
