// PreparedStatement (Connection::prepare) and Result::row_count on a real SQLite file and a
// real PostgreSQL server.
#include "support/backends.hpp"

namespace strata::test {
namespace {

class Prepared : public DatabaseTest {
 protected:
  static void create_items(Connection& conn) {
    conn.execute_script("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");
  }
};

TEST_P(Prepared, RunsAgainWithEachFormOfValues) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto insert = conn.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
  for (int i = 1; i <= 100; ++i) {
    EXPECT_EQ(insert.execute(i, "item " + std::to_string(i)).rows_affected(), 1);
  }
  EXPECT_EQ(insert.execute(std::vector<Value>{101, "vector"}).rows_affected(), 1);
  EXPECT_EQ(insert.sql(), "INSERT INTO items (id, name) VALUES (?, ?)");
  auto by_name = conn.prepare("SELECT name FROM items WHERE id = :id OR name = :name");
  EXPECT_EQ(by_name.execute({{"id", 7}, {"name", "nobody"}}).scalar<std::string>(), "item 7");
  EXPECT_EQ(by_name.execute({{"name", "vector"}, {"id", 0}}).scalar<std::string>(), "vector");
  auto total = conn.prepare("SELECT COUNT(*) FROM items");
  EXPECT_EQ(total.execute().scalar<std::int64_t>(), 101);
  EXPECT_EQ(total.execute().scalar<std::int64_t>(), 101);
}

TEST_P(Prepared, AWrongCallIsAUsageErrorThatSendsNothing) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto insert = conn.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
  auto named = conn.prepare("SELECT name FROM items WHERE id = :id");
  auto before = conn.round_trips();
  try {
    insert.execute(1);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("takes 2 parameters, 1 given"), std::string::npos) << message;
    EXPECT_NE(message.find("INSERT INTO items"), std::string::npos) << message;
  }
  EXPECT_THROW(named.execute({{"key", 1}}), UsageError);
  EXPECT_THROW(named.execute(1), UsageError);
  EXPECT_EQ(conn.round_trips(), before);
  EXPECT_EQ(conn.execute("SELECT COUNT(*) FROM items").scalar<std::int64_t>(), 0);
}

TEST_P(Prepared, CostsOneRoundTripAnExecutionOnceRunning) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto insert = conn.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
  insert.execute(1, "one");  // the text with the values
  insert.execute(2, "two");  // prepared under its name, then run
  auto before = conn.round_trips();
  for (int i = 3; i < 53; ++i) insert.execute(i, "more");
  EXPECT_EQ(conn.round_trips() - before, is_sqlite() ? 0u : 50u);
}

TEST_P(Prepared, ResultsStayValidWhileItRunsAgain) {
  auto conn = make_engine().connect();
  create_items(conn);
  conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)",
                    std::vector<std::vector<Value>>{{1, "a"}, {2, "b"}, {3, "c"}});
  auto query = conn.prepare("SELECT id FROM items WHERE id >= ? ORDER BY id");
  auto first = query.execute(1);
  auto second = query.execute(2);  // while `first` reads from the prepared statement
  std::vector<std::int64_t> a;
  std::vector<std::int64_t> b;
  for (const auto& row : first) a.push_back(row.get<std::int64_t>(0));
  for (const auto& row : second) b.push_back(row.get<std::int64_t>(0));
  EXPECT_EQ(a, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(b, (std::vector<std::int64_t>{2, 3}));
}

TEST_P(Prepared, OutlivesItsConnectionAsAResultDoes) {
  auto engine = make_engine();
  auto conn = engine.connect();
  create_items(conn);
  auto insert = conn.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
  auto query = conn.prepare("SELECT name FROM items WHERE id = ?");
  conn.close();
  insert.execute(1, "after close");
  // A Result outlives the statement that gave it.
  auto result = [&] {
    auto local = std::move(query);
    return local.execute(1);
  }();
  EXPECT_EQ(result.scalar<std::string>(), "after close");
  EXPECT_THROW(query.execute(1), UsageError);  // NOLINT(bugprone-use-after-move): the point
  EXPECT_THROW(conn.prepare("SELECT 1"), UsageError);
  auto other = engine.connect();
  EXPECT_EQ(other.execute("SELECT COUNT(*) FROM items").scalar<std::int64_t>(), 1);
}

TEST_P(Prepared, RunsInTheOpenTransaction) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto insert = conn.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
  {
    auto tx = conn.begin();
    insert.execute(1, "rolled back");
    insert.execute(2, "rolled back");
  }
  EXPECT_EQ(conn.execute("SELECT COUNT(*) FROM items").scalar<std::int64_t>(), 0);
  auto tx = conn.begin();
  insert.execute(3, "kept");
  tx.commit();
  EXPECT_EQ(conn.execute("SELECT COUNT(*) FROM items").scalar<std::int64_t>(), 1);
}

TEST_P(Prepared, BadSqlIsTheDatabasesError) {
  auto conn = make_engine().connect();
  // SQLite refuses it at prepare(), PostgreSQL at the first execute().
  EXPECT_THROW(
      {
        auto query = conn.prepare("SELECT * FROM no_such_table WHERE id = ?");
        query.execute(1);
      },
      ProgrammingError);
  EXPECT_THROW(conn.prepare("SELECT ?, :name"), UsageError);  // mixed placeholders
}

TEST_P(Prepared, FollowsSchemaChanges) {
  auto conn = make_engine().connect();
  conn.execute_script("CREATE TABLE t (a INTEGER)");
  conn.execute("INSERT INTO t VALUES (1)");
  auto all = conn.prepare("SELECT * FROM t");
  EXPECT_EQ(all.execute().column_count(), 1);
  EXPECT_EQ(all.execute().column_count(), 1);  // now a named statement on PostgreSQL
  conn.execute_script("ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7");
  auto result = all.execute();  // PostgreSQL refuses the old plan (0A000): prepared again
  ASSERT_EQ(result.column_count(), 2);
  EXPECT_EQ(result.row().get<int>("b"), 7);
}

TEST_P(Prepared, ResultRowCountWhereTheBackendKnowsIt) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto insert = conn.execute("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  auto all = conn.execute("SELECT id FROM items");
  auto none = conn.execute("SELECT id FROM items WHERE id > 100");
  auto prepared = conn.prepare("SELECT id FROM items WHERE id < ?");
  auto two = prepared.execute(3);
  if (is_sqlite()) {
    EXPECT_EQ(all.row_count(), std::nullopt);
    EXPECT_EQ(two.row_count(), std::nullopt);
    EXPECT_EQ(insert.row_count(), std::nullopt);
  } else {
    EXPECT_EQ(all.row_count(), 3);
    EXPECT_EQ(none.row_count(), 0);
    EXPECT_EQ(two.row_count(), 2);
    EXPECT_EQ(insert.row_count(), 0);  // no rows, though 3 affected
    EXPECT_EQ(insert.rows_affected(), 3);
    all.next();
    EXPECT_EQ(all.row_count(), 3);  // the whole result, wherever the cursor stands
  }
}

STRATA_ON_BOTH_BACKENDS(Prepared);

}  // namespace
}  // namespace strata::test
