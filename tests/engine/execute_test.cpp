#include <dlfcn.h>

#include <limits>

#include "support/backends.hpp"

namespace strata::test {
namespace {

class Execute : public DatabaseTest {
 protected:
  void create_items(Connection& conn) {
    conn.execute_script(
        "CREATE TABLE items (id BIGINT PRIMARY KEY, title TEXT NOT NULL, price DOUBLE "
        "PRECISION, flag BOOLEAN, data " +
        std::string(is_sqlite() ? "BLOB" : "BYTEA") + ", note TEXT)");
  }
};

TEST_P(Execute, PositionalParametersAndTypedReads) {
  auto conn = make_engine().connect();
  create_items(conn);
  const std::string bytes("a\0b\xff", 4);
  auto inserted = conn.execute("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)", 1, "first", 2.5, true,
                               Blob(bytes), std::optional<std::string>());
  EXPECT_EQ(inserted.rows_affected(), 1);
  auto result =
      conn.execute("SELECT id, title, price, flag, data, note FROM items WHERE id = ?", 1);
  ASSERT_FALSE(result.empty());
  auto row = result.row();
  EXPECT_EQ(row.get<std::int64_t>(0), 1);
  EXPECT_EQ(row.get<std::string>("title"), "first");
  EXPECT_EQ(row.get<double>("price"), 2.5);
  EXPECT_TRUE(row.get<bool>("flag"));
  EXPECT_EQ(row.get<Blob>("data"), Blob(bytes));
  EXPECT_TRUE(row.is_null("note"));
  EXPECT_EQ(row.get<std::optional<std::string>>("note"), std::nullopt);
  EXPECT_THROW(row.get<std::string>("note"), UsageError);
  EXPECT_THROW(row.get<int>("missing"), UsageError);
  EXPECT_EQ(row.get<Value>("title"), Value("first"));
}

// NULL must not pass for a zero, a false or an empty text, and those must not pass for NULL:
// Both drivers read a NULL as 0 or "", which strata tells apart only when it gets such a value.
TEST_P(Execute, NullIsNotZeroFalseOrEmpty) {
  auto conn = make_engine().connect();
  auto result = conn.execute(
      "SELECT CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS BOOLEAN), "
      "CAST(NULL AS TEXT), 0, CAST(0 AS DOUBLE PRECISION), CAST(? AS BOOLEAN), ''",
      false);
  auto row = result.row();
  EXPECT_THROW(row.get<std::int64_t>(0), UsageError);
  EXPECT_THROW(row.get<int>(0), UsageError);
  EXPECT_THROW(row.get<double>(1), UsageError);
  EXPECT_THROW(row.get<bool>(2), UsageError);
  EXPECT_THROW(row.get<std::string_view>(3), UsageError);
  EXPECT_EQ(row.get<std::optional<std::int64_t>>(0), std::nullopt);
  EXPECT_EQ(row.get<std::int64_t>(4), 0);
  EXPECT_EQ(row.get<double>(5), 0.0);
  EXPECT_FALSE(row.get<bool>(6));
  EXPECT_EQ(row.get<std::string>(7), "");
}

TEST_P(Execute, NamedParametersAndIntegerExtremes) {
  auto conn = make_engine().connect();
  create_items(conn);
  const auto lo = std::numeric_limits<std::int64_t>::min();
  const auto hi = std::numeric_limits<std::int64_t>::max();
  conn.execute("INSERT INTO items (id, title) VALUES (:id, :title)", {{"id", lo}, {"title", "lo"}});
  conn.execute("INSERT INTO items (id, title) VALUES (:id, :title)", {{"title", "hi"}, {"id", hi}});
  auto result = conn.execute("SELECT id FROM items WHERE title = :t OR title = :u ORDER BY id",
                             {{"t", "lo"}, {"u", "hi"}});
  std::vector<std::int64_t> ids;
  for (const auto& row : result) ids.push_back(row.get<std::int64_t>(0));
  EXPECT_EQ(ids, (std::vector<std::int64_t>{lo, hi}));
  EXPECT_THROW(conn.execute("SELECT :a", {{"b", 1}}), UsageError);
}

TEST_P(Execute, IterationReadsEveryRowWithoutCopies) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto tx = conn.begin();
  for (int i = 0; i < 500; ++i) conn.execute("INSERT INTO items (id, title) VALUES (?, ?)", i, "x");
  tx.commit();
  std::int64_t sum = 0;
  int rows = 0;
  for (const auto& row : conn.execute("SELECT id FROM items ORDER BY id")) {
    sum += row.get<std::int64_t>(0);
    ++rows;
  }
  EXPECT_EQ(rows, 500);
  EXPECT_EQ(sum, 499 * 500 / 2);
  EXPECT_EQ(conn.execute("SELECT count(*) FROM items").scalar<int>(), 500);
  auto none = conn.execute("SELECT id FROM items WHERE id < 0");
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.first());
  EXPECT_THROW(none.row(), UsageError);
}

TEST_P(Execute, ReturningAndRowsAffected) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto returned =
      conn.execute("INSERT INTO items (id, title) VALUES (?, ?) RETURNING id, title", 7, "seven");
  ASSERT_FALSE(returned.empty());
  EXPECT_EQ(returned.row().get<int>("id"), 7);
  EXPECT_EQ(returned.row().get<std::string>("title"), "seven");
  EXPECT_FALSE(returned.next());
  conn.execute("INSERT INTO items (id, title) VALUES (8, 'x'), (9, 'x')");
  EXPECT_EQ(conn.execute("UPDATE items SET note = ? WHERE title = ?", "n", "x").rows_affected(), 2);
  EXPECT_EQ(conn.execute("DELETE FROM items").rows_affected(), 3);
}

TEST_P(Execute, SameStatementNestedUsesASecondStatement) {
  auto conn = make_engine().connect();
  create_items(conn);
  conn.execute("INSERT INTO items (id, title) VALUES (1, 'a'), (2, 'b')");
  const char* sql = "SELECT id FROM items ORDER BY id";
  int pairs = 0;
  for (const auto& outer : conn.execute(sql)) {
    for (const auto& inner : conn.execute(sql)) {
      pairs += outer.get<int>(0) > 0 && inner.get<int>(0) > 0;
    }
  }
  EXPECT_EQ(pairs, 4);
}

TEST_P(Execute, ParameterCountMismatchIsAUsageError) {
  auto conn = make_engine().connect();
  try {
    conn.execute("SELECT ? +\n  ?", 1);  // counted before preparing: no round trip
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "statement takes 2 parameters, 1 given in statement: SELECT ? + ?");
  }
  EXPECT_THROW(conn.execute("SELECT ?, :a", 1), UsageError);
}

TEST_P(Execute, DynamicParameterList) {
  auto conn = make_engine().connect();
  std::vector<Value> params{Value(40), Value(2)};
  EXPECT_EQ(conn.execute("SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER)", params).scalar<int>(),
            42);
}

TEST_P(Execute, StatementCacheIsBounded) {
  auto conn = make_engine("statement_cache_size=2").connect();
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(conn.execute("SELECT " + std::to_string(i) + " + ?", 1).scalar<int>(), i + 1);
    }
  }
  if (is_sqlite()) return;
  auto prepared = conn.execute("SELECT count(*) FROM pg_prepared_statements").scalar<int>();
  EXPECT_LE(prepared, 3);  // two cached plus the one counting
}

TEST_P(Execute, RepeatedStatementIsPreparedOnce) {
  if (is_sqlite()) GTEST_SKIP() << "PostgreSQL exposes prepared statements; SQLite has no view";
  auto conn = make_engine().connect();
  for (int i = 0; i < 20; ++i) conn.execute("SELECT ?", i);
  EXPECT_EQ(conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = "
                         "'SELECT $1'")
                .scalar<int>(),
            1);
}

TEST_P(Execute, StatementRunOnceIsNotPreparedOnTheServer) {
  if (is_sqlite()) GTEST_SKIP() << "PostgreSQL exposes prepared statements; SQLite has no view";
  auto conn = make_engine().connect();
  auto named = [&] {
    return conn
        .execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = "
            "'SELECT $1::int + 1'")
        .scalar<int>();
  };
  EXPECT_EQ(conn.execute("SELECT ?::int + 1", 41).scalar<int>(), 42);
  EXPECT_EQ(named(), 0);
  EXPECT_EQ(conn.execute("SELECT ?::int + 1", 1).scalar<int>(), 2);
  EXPECT_EQ(named(), 1);
}

STRATA_ON_BOTH_BACKENDS(Execute);

}  // namespace
}  // namespace strata::test

namespace strata::test {
namespace {

class ExecuteEdges : public DatabaseTest {};

TEST_P(ExecuteEdges, SeveralStatementsInOneExecuteAreRefused) {
  auto conn = make_engine().connect();
  conn.execute_script("CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER)");
  EXPECT_THROW(conn.execute("DELETE FROM a; DELETE FROM b"), ProgrammingError);
  EXPECT_NO_THROW(conn.execute("DELETE FROM a; -- done\n"));
}

TEST_P(ExecuteEdges, EmptyTextIsNotNullAndNulIsHandled) {
  auto conn = make_engine().connect();
  conn.execute_script("CREATE TABLE t (s TEXT)");
  conn.execute("INSERT INTO t VALUES (?)", std::string_view());
  EXPECT_EQ(conn.execute("SELECT count(*) FROM t WHERE s = ''").scalar<int>(), 1);
  const std::string with_nul("ab\0cd", 5);
  if (is_sqlite()) {
    conn.execute("INSERT INTO t VALUES (?)", with_nul);
    EXPECT_EQ(conn.execute("SELECT s FROM t WHERE length(s) > 0").scalar<std::string>(), with_nul);
  } else {
    EXPECT_THROW(conn.execute("INSERT INTO t VALUES (?)", with_nul), DataError);
  }
}

TEST_P(ExecuteEdges, CachedStatementsFollowSchemaChanges) {
  auto conn = make_engine().connect();
  conn.execute_script("CREATE TABLE t (a INTEGER)");
  conn.execute("INSERT INTO t VALUES (1)");
  EXPECT_EQ(conn.execute("SELECT * FROM t").column_count(), 1);
  conn.execute_script("ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7");
  auto result = conn.execute("SELECT * FROM t");
  ASSERT_EQ(result.column_count(), 2);
  EXPECT_EQ(result.row().get<int>("b"), 7);
}

TEST_P(ExecuteEdges, RowsAffectedCountsOnlyWrites) {
  auto conn = make_engine().connect();
  conn.execute_script("CREATE TABLE t (a INTEGER)");
  EXPECT_EQ(conn.execute("INSERT INTO t VALUES (1), (2)").rows_affected(), 2);
  EXPECT_EQ(conn.execute("CREATE INDEX ix_t_a ON t (a)").rows_affected(), 0);
  auto select = conn.execute("SELECT a FROM t");
  while (select.next()) {
  }
  EXPECT_EQ(select.rows_affected(), 0);
}

TEST_P(ExecuteEdges, ServerDateStyleAndByteaOutputDoNotMatter) {
  if (is_sqlite()) GTEST_SKIP() << "PostgreSQL session settings";
  auto admin = make_engine().connect();
  std::string db = Url::parse(url()).database();
  admin.execute_script("ALTER DATABASE " + db + " SET DateStyle = 'German, DMY'");
  admin.execute_script("ALTER DATABASE " + db + " SET bytea_output = 'escape'");
  auto conn = make_engine("pool_size=1").connect();
  auto result = conn.execute("SELECT DATE '2024-03-01', '\\x00ff'::bytea");
  auto row = result.row();
  EXPECT_EQ(row.get<Date>(0),
            (Date{std::chrono::year(2024), std::chrono::March, std::chrono::day(1)}));
  EXPECT_EQ(row.get<Blob>(1), Blob(std::string_view("\0\xff", 2)));
  admin.execute_script("ALTER DATABASE " + db + " RESET DateStyle");
  admin.execute_script("ALTER DATABASE " + db + " RESET bytea_output");
}

bool libpq_loaded() {
  void* libpq = ::dlopen("libpq.so.5", RTLD_LAZY | RTLD_NOLOAD);
  if (libpq) ::dlclose(libpq);
  return libpq != nullptr;
}

STRATA_ON_BOTH_BACKENDS(ExecuteEdges);

// load_driver brings libpq in without connecting (nothing listens on port 1): what `strata
// current` uses to load it before starting other work. SQLite's library is linked, so its
// engines load nothing. Run in a fresh process, where no other test has loaded libpq: a
// "threadsafe" death test runs the binary again for this test alone.
TEST(LoadDriver, LoadsLibpqWithoutConnectingAndOnlyForPostgres) {
  if (skip_postgres()) GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1: PostgreSQL tests skipped";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        bool before = libpq_loaded();
        create_engine("sqlite:///unused.db").load_driver();
        bool after_sqlite = libpq_loaded();
        auto postgres = create_engine("postgresql://nobody@127.0.0.1:1/none");
        postgres.load_driver();
        bool ok = !before && !after_sqlite && libpq_loaded() && postgres.pool_status().open == 0;
        std::exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace strata::test
