// prepared_statements=false (alias pgbouncer=true): behind a transaction pooler, consecutive
// transactions of one connection may run on different server connections, so strata names no
// statement and sets nothing on the session. Shown here on a direct server, where the session
// can be looked at: pg_prepared_statements and pg_settings. SQLite refuses the marker.
#include "support/backends.hpp"

namespace strata::test {
namespace {

class PooledMode : public DatabaseTest {
 protected:
  // Statements the server holds under a name on `conn`'s session.
  static int named_statements(Connection& conn) {
    return conn.execute("SELECT count(*) FROM pg_prepared_statements").scalar<int>();
  }
  // Settings this session took from the client at startup, or SET since.
  static std::vector<std::string> session_settings(Connection& conn) {
    std::vector<std::string> names;
    for (const auto& row : conn.execute("SELECT name FROM pg_settings WHERE source IN ('client', "
                                        "'session') ORDER BY name")) {
      names.push_back(row.get<std::string>(0));
    }
    return names;
  }
};

TEST_P(PooledMode, SqliteRefusesTheMarker) {
  if (!is_sqlite()) {
    EXPECT_NO_THROW(make_engine("prepared_statements=false").connect());
    return;
  }
  for (const char* marker : {"prepared_statements=false", "pgbouncer=true"}) {
    try {
      make_engine(marker);
      ADD_FAILURE() << marker << " was taken";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("a SQLite file has none: remove it"), std::string::npos)
          << e.what();
    }
  }
}

TEST_P(PooledMode, RepeatedStatementsAreNeverNamed) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no server session to pool";
  for (const char* marker : {"prepared_statements=false", "pgbouncer=true"}) {
    auto conn = make_engine(marker).connect();
    for (int i = 0; i < 50; ++i) {
      EXPECT_EQ(conn.execute("SELECT CAST(? AS INTEGER) + 1", i).scalar<int>(), i + 1);
      EXPECT_EQ(named_statements(conn), 0) << marker << ", run " << i;
    }
  }
  // The control: the same statements on a URL without the marker are named from their second run.
  auto direct = make_engine().connect();
  for (int i = 0; i < 3; ++i) direct.execute("SELECT CAST(? AS INTEGER) + 1", i);
  EXPECT_EQ(direct
                .execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = "
                         "'SELECT CAST($1 AS INTEGER) + 1'")
                .scalar<int>(),
            1);
}

// The formats strata reads results in come from the server's defaults, not from startup
// options: only what PgBouncer carries to every server connection (client_encoding) is sent.
TEST_P(PooledMode, SetsNothingOnTheSession) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no server session to pool";
  auto pooled = make_engine("pgbouncer=true").connect();
  {
    auto tx = pooled.begin();
    auto inner = pooled.begin();
    pooled.execute("SELECT 1");
    inner.commit();
    tx.commit();
  }
  EXPECT_EQ(session_settings(pooled), std::vector<std::string>{"client_encoding"});
  auto direct = make_engine().connect();
  EXPECT_EQ(
      session_settings(direct),
      (std::vector<std::string>{"DateStyle", "IntervalStyle", "bytea_output", "client_encoding"}));
}

TEST_P(PooledMode, ValuesTransactionsAndSchemaChangesWork) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no server session to pool";
  auto conn = make_engine("prepared_statements=false&statement_cache_size=4").connect();
  conn.execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE, at TIMESTAMPTZ, b BYTEA)");
  const Date day{std::chrono::year(2024), std::chrono::March, std::chrono::day(1)};
  const Blob bytes(std::string_view("\0\xff", 2));
  {
    auto tx = conn.begin();
    conn.execute("INSERT INTO t VALUES (?, ?, now(), ?)", 1, day, bytes);
    auto inner = conn.begin();
    conn.execute("INSERT INTO t VALUES (?, ?, now(), ?)", 2, day, bytes);
    inner.rollback();
    tx.commit();
  }
  for (int i = 0; i < 3; ++i) {  // from the cache after the first run
    auto result = conn.execute("SELECT * FROM t WHERE id = ?", 1);
    auto row = result.row();
    EXPECT_EQ(row.get<Date>("d"), day);
    EXPECT_EQ(row.get<Blob>("b"), bytes);
    EXPECT_EQ(result.column_count(), 4);
  }
  conn.execute_script("ALTER TABLE t ADD COLUMN note TEXT DEFAULT 'x'");
  EXPECT_EQ(conn.execute("SELECT * FROM t WHERE id = ?", 1).column_count(), 5);
  EXPECT_EQ(conn.execute("SELECT count(*) FROM t").scalar<int>(), 1);
  EXPECT_EQ(named_statements(conn), 0);
}

// Behind a pooler strata cannot set DateStyle, and would misread dates in any but ISO.
TEST_P(PooledMode, ServerDateStyleOtherThanIsoIsRefusedAtConnect) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no server session to pool";
  auto admin = make_engine().connect();
  std::string db = Url::parse(url()).database();
  admin.execute_script("ALTER DATABASE " + db + " SET DateStyle = 'German, DMY'");
  struct Reset {
    Connection& admin;
    std::string db;
    ~Reset() { admin.execute_script("ALTER DATABASE " + db + " RESET DateStyle"); }
  } reset{admin, db};
  try {
    make_engine("pgbouncer=true").connect();
    FAIL() << "connected";
  } catch (const OperationalError& e) {
    EXPECT_NE(std::string(e.what()).find("reports DateStyle 'German, DMY', and behind a "
                                         "transaction pooler"),
              std::string::npos)
        << e.what();
  }
  admin.execute_script("ALTER DATABASE " + db + " SET DateStyle = 'ISO, DMY'");
  auto conn = make_engine("pgbouncer=true").connect();
  EXPECT_EQ(conn.execute("SELECT DATE '2024-03-01'").scalar<Date>(),
            (Date{std::chrono::year(2024), std::chrono::March, std::chrono::day(1)}));
}

STRATA_ON_BOTH_BACKENDS(PooledMode);

}  // namespace
}  // namespace strata::test
