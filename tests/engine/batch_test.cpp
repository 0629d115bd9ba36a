// Batches (Connection::execute_batch, execute_many) on a real SQLite file and a real
// PostgreSQL server: what they apply, what a failing statement leaves, and on PostgreSQL how
// many round trips they cost. Counts are asserted, never times.
#include <typeinfo>

#include "support/backends.hpp"

namespace strata::test {
namespace {

class Batches : public DatabaseTest {
 protected:
  static void create_items(Connection& conn) {
    conn.execute_script("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)");
  }
  static std::int64_t count(Connection& conn) {
    return conn.execute("SELECT COUNT(*) FROM items").scalar<std::int64_t>();
  }
  static std::vector<std::vector<Value>> rows(int first, int n) {
    std::vector<std::vector<Value>> out;
    for (int i = first; i < first + n; ++i) out.push_back({i, "item " + std::to_string(i)});
    return out;
  }
};

TEST_P(Batches, ExecuteManyInsertsAThousandRows) {
  auto conn = make_engine().connect();
  create_items(conn);
  EXPECT_EQ(conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(1, 1000)), 1000);
  EXPECT_EQ(count(conn), 1000);
  EXPECT_EQ(conn.execute("SELECT SUM(id) FROM items").scalar<std::int64_t>(), 500500);
  EXPECT_EQ(conn.execute("SELECT name FROM items WHERE id = 777").scalar<std::string>(),
            "item 777");
  // Again, now that the statement is cached (and on PostgreSQL prepared).
  EXPECT_EQ(conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(1001, 10)), 10);
  EXPECT_EQ(count(conn), 1010);
}

TEST_P(Batches, MixedStatementsApplyInOrder) {
  auto conn = make_engine().connect();
  create_items(conn);
  Batch batch;
  batch.add("INSERT INTO items (id, name) VALUES (?, ?)", 1, "one")
      .add("INSERT INTO items (id, name) VALUES (?, ?)", 2, "two")
      .add("UPDATE items SET name = :name WHERE id = :id", {{"id", 1}, {"name", "uno"}})
      .add("UPDATE items SET name = name || '!' WHERE id = ?", 1)
      .add("DELETE FROM items WHERE id = ?", 2)
      .add("DELETE FROM items WHERE id = ?", 99)
      .add("INSERT INTO items (id, name) SELECT id + 10, name FROM items");
  EXPECT_EQ(conn.execute_batch(batch), (std::vector<std::int64_t>{1, 1, 1, 1, 1, 0, 1}));
  auto result = conn.execute("SELECT id, name FROM items ORDER BY id");
  std::vector<std::pair<std::int64_t, std::string>> got;
  for (const auto& row : result)
    got.emplace_back(row.get<std::int64_t>(0), row.get<std::string>(1));
  EXPECT_EQ(got, (std::vector<std::pair<std::int64_t, std::string>>{{1, "uno!"}, {11, "uno!"}}));
}

TEST_P(Batches, RowsReturnedReachTheVisitorByStep) {
  auto conn = make_engine().connect();
  create_items(conn);
  Batch batch;
  batch.add("INSERT INTO items (id, name) VALUES (?, ?) RETURNING id", 5, "five")
      .add("UPDATE items SET name = ? WHERE id = ?", "FIVE", 5)
      .add("INSERT INTO items (id, name) VALUES (?, ?) RETURNING id, name", 6, "six")
      .add("SELECT id FROM items ORDER BY id");
  std::vector<std::pair<std::size_t, std::int64_t>> seen;
  auto affected = conn.execute_batch(batch, [&](std::size_t step, const Row& row) {
    seen.emplace_back(step, row.get<std::int64_t>(0));
    if (step == 2) {
      EXPECT_EQ(row.get<std::string>("name"), "six");
    }
  });
  EXPECT_EQ(affected, (std::vector<std::int64_t>{1, 1, 1, 0}));
  EXPECT_EQ(seen,
            (std::vector<std::pair<std::size_t, std::int64_t>>{{0, 5}, {2, 6}, {3, 5}, {3, 6}}));
}

// What the failing statement throws when it runs alone: the batch must throw the same.
template <class F>
std::pair<std::string, std::string> error_of(F run) {
  try {
    run();
  } catch (const DatabaseError& e) {
    return {typeid(e).name(), e.sqlstate() + " | " + e.statement()};
  }
  ADD_FAILURE() << "no DatabaseError";
  return {};
}

TEST_P(Batches, AFailingStatementThrowsAsAloneAndNothingAfterItIsApplied) {
  auto conn = make_engine().connect();
  create_items(conn);
  conn.execute("INSERT INTO items (id, name) VALUES (?, ?)", 10, "ten");
  const char* failing = "INSERT INTO items (name, id) VALUES (?, ?)";
  auto alone = error_of([&] { conn.execute(failing, "again", 10); });
  Batch batch;
  batch.add("INSERT INTO items (id, name) VALUES (?, ?)", 11, "eleven")
      .add(failing, "again", 10)
      .add("INSERT INTO items (id, name) VALUES (?, ?)", 12, "twelve")
      .add("DELETE FROM items WHERE id = ?", 10);
  EXPECT_THROW(conn.execute_batch(batch), IntegrityError);
  EXPECT_EQ(error_of([&] { conn.execute_batch(batch); }), alone);
  EXPECT_NE(alone.second.find("(name, id)"), std::string::npos) << alone.second;
  // Outside a transaction the batch is one: the step before the failure is undone too.
  EXPECT_FALSE(conn.in_transaction());
  auto ids = conn.execute("SELECT id FROM items ORDER BY id");
  std::vector<std::int64_t> got;
  for (const auto& row : ids) got.push_back(row.get<std::int64_t>(0));
  EXPECT_EQ(got, std::vector<std::int64_t>{10});
  // The connection and its cached statements work on.
  EXPECT_EQ(conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(11, 2)), 2);
  EXPECT_EQ(count(conn), 3);
}

TEST_P(Batches, AFailingStatementInsideATransaction) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto tx = conn.begin();
  conn.execute("INSERT INTO items (id, name) VALUES (?, ?)", 20, "twenty");
  Batch batch;
  batch.add("INSERT INTO items (id, name) VALUES (?, ?)", 21, "a")
      .add("INSERT INTO items (id, name) VALUES (?, ?)", 20, "dup")
      .add("INSERT INTO items (id, name) VALUES (?, ?)", 22, "b");
  EXPECT_THROW(conn.execute_batch(batch), IntegrityError);
  EXPECT_TRUE(conn.in_transaction());
  if (is_sqlite()) {
    // SQLite's transaction lives on without the batch.
    EXPECT_EQ(count(conn), 1);
    tx.commit();
    EXPECT_EQ(count(conn), 1);
  } else {
    // PostgreSQL failed the transaction, as a failing statement alone does.
    EXPECT_THROW(count(conn), ProgrammingError);
    EXPECT_THROW(tx.commit(), ProgrammingError);
    EXPECT_EQ(count(conn), 0);
  }
}

// BatchUndo::transaction leaves the undoing to the caller's rollback: SQLite keeps what the
// batch applied before its failing statement (no savepoint), PostgreSQL fails the transaction
// as always, and the rollback takes everything back on both. The statements after the
// failing one are not applied, and the batch's statements work on afterwards.
TEST_P(Batches, AFailingBatchLeftToTheCallersRollback) {
  auto conn = make_engine().connect();
  create_items(conn);
  const std::string insert = "INSERT INTO items (id, name) VALUES (?, ?)";
  Batch batch;
  batch.add(insert, 21, "a").add(insert, 21, "dup").add(insert, 22, "b");
  auto tx = conn.begin();
  conn.execute(insert, 20, "twenty");
  EXPECT_THROW(conn.execute_batch(batch, {}, BatchUndo::transaction), IntegrityError);
  EXPECT_TRUE(conn.in_transaction());
  if (is_sqlite()) {
    auto ids = conn.execute("SELECT id FROM items ORDER BY id");
    std::vector<std::int64_t> got;
    for (const auto& row : ids) got.push_back(row.get<std::int64_t>(0));
    EXPECT_EQ(got, (std::vector<std::int64_t>{20, 21}));
  } else {
    EXPECT_THROW(count(conn), ProgrammingError);
  }
  tx.rollback();
  EXPECT_EQ(count(conn), 0);
  // Outside a transaction the batch is one of its own, whatever `undo` says.
  const std::vector<std::vector<Value>> twice = {{30, "x"}, {30, "y"}};
  EXPECT_THROW(conn.execute_many(insert, twice, BatchUndo::transaction), IntegrityError);
  EXPECT_EQ(count(conn), 0);
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(conn.execute_many(insert, rows(1, 3), BatchUndo::transaction), 3);
  EXPECT_EQ(count(conn), 3);
}

// The server ends the connection while the pipeline is being read: the batch throws the
// server's error, nothing of it is kept, and the pool hands out a working connection next.
TEST_P(Batches, AConnectionLostMidBatchKeepsNothingAndThePoolRecovers) {
  if (is_sqlite()) GTEST_SKIP() << "a SQLite file has no server connection to lose";
  auto engine = make_engine("pool_size=1&max_overflow=0");
  {
    auto conn = engine.connect();
    create_items(conn);
    Batch batch;
    batch.add("INSERT INTO items (id, name) VALUES (?, ?)", 1, "one")
        .add("SELECT pg_terminate_backend(pg_backend_pid())")
        .add("INSERT INTO items (id, name) VALUES (?, ?)", 2, "two");
    try {
      conn.execute_batch(batch);
      ADD_FAILURE() << "the batch ran on a terminated connection";
    } catch (const DatabaseError& e) {
      std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      EXPECT_EQ(e.sqlstate(), "57P01") << message;
    }
    EXPECT_THROW(conn.execute("SELECT 1"), DatabaseError);
  }
  auto conn = engine.connect();
  EXPECT_EQ(count(conn), 0);
  EXPECT_EQ(conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(1, 3)), 3);
  EXPECT_EQ(count(conn), 3);
}

TEST_P(Batches, RoundTripsOfExecuteManyAgainstALoop) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto data = rows(1, 1000);
  auto before = conn.round_trips();
  conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", data);
  auto batched = conn.round_trips() - before;
  before = conn.round_trips();
  for (const auto& row : rows(1001, 1000)) {
    conn.execute("INSERT INTO items (id, name) VALUES (?, ?)", row);
  }
  auto looped = conn.round_trips() - before;
  EXPECT_EQ(count(conn), 2000);
  if (is_sqlite()) {
    EXPECT_EQ(batched, 0u);  // no server, no round trips
    EXPECT_EQ(looped, 0u);
  } else {
    EXPECT_LE(batched, 1u) << "one pipeline, its prepare included";
    EXPECT_GE(looped, 1000u);
  }
}

TEST_P(Batches, MoreStatementsThanTheCacheHolds) {
  auto conn = make_engine("statement_cache_size=2").connect();
  create_items(conn);
  Batch batch;
  for (int i = 0; i < 6; ++i) {
    batch.add("INSERT INTO items (id, name) VALUES (?, 'n" + std::to_string(i) + "')", i);
  }
  batch.add("INSERT INTO items (id, name) VALUES (?, 'n0')", 100);
  EXPECT_EQ(conn.execute_batch(batch).size(), 7u);
  EXPECT_EQ(count(conn), 7);
  auto none = make_engine("statement_cache_size=0").connect();
  EXPECT_EQ(none.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(200, 3)), 3);
}

TEST_P(Batches, AStatementAResultIsReadingFromStillRuns) {
  auto conn = make_engine().connect();
  create_items(conn);
  conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(1, 3));
  const char* select = "SELECT id FROM items WHERE id >= ? ORDER BY id";
  auto open = conn.execute(select, 1);
  Batch batch;
  batch.add(select, 2).add("UPDATE items SET name = 'x' WHERE id = ?", 3);
  std::vector<std::int64_t> seen;
  conn.execute_batch(
      batch, [&](std::size_t, const Row& row) { seen.push_back(row.get<std::int64_t>(0)); });
  EXPECT_EQ(seen, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(open.row().get<std::int64_t>(0), 1);
}

// Another connection's DDL changes the columns of a statement this one prepared: outside a
// transaction the batch prepares it again, as execute() does.
TEST_P(Batches, AStatementMadeStaleByDdlIsPreparedAgain) {
  auto engine = make_engine();
  auto conn = engine.connect();
  create_items(conn);
  conn.execute("INSERT INTO items (id, name) VALUES (1, 'one')");
  const char* select = "SELECT * FROM items WHERE id = ?";
  for (int i = 0; i < 2; ++i) conn.execute(select, 1);  // prepared under a name on PostgreSQL
  engine.connect().execute_script("ALTER TABLE items ADD COLUMN extra INTEGER");
  Batch batch;
  batch.add(select, 1);
  std::vector<int> widths;
  auto before = conn.round_trips();
  conn.execute_batch(batch, [&](std::size_t, const Row& row) { widths.push_back(row.size()); });
  EXPECT_EQ(widths, std::vector<int>{3});
  // PostgreSQL refused the stale statement (0A000): the batch went twice.
  if (!is_sqlite()) {
    EXPECT_GE(conn.round_trips() - before, 2u);
  }
}

// Behind a transaction pooler the pipeline sends every statement with its text: the server
// keeps none under a name.
TEST_P(Batches, BehindAPoolerNothingIsNamed) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no server session to pool";
  auto conn = make_engine("prepared_statements=false").connect();
  create_items(conn);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(conn.execute_many("INSERT INTO items (id, name) VALUES (?, ?)", rows(i * 100, 100)),
              100);
  }
  EXPECT_EQ(count(conn), 300);
  EXPECT_EQ(conn.execute("SELECT count(*) FROM pg_prepared_statements").scalar<int>(), 0);
}

void expect_one_line_usage_error(const std::function<void()>& run, std::string_view naming) {
  try {
    run();
    ADD_FAILURE() << "no UsageError";
  } catch (const UsageError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find(naming), std::string::npos) << message;
  }
}

TEST_P(Batches, BadUseIsAUsageErrorBeforeAnythingIsSent) {
  auto conn = make_engine().connect();
  create_items(conn);
  const char* insert = "INSERT INTO items (id, name) VALUES (?, ?)";
  expect_one_line_usage_error([&] { conn.execute_many(insert, {}); }, "no rows");
  expect_one_line_usage_error([&] { conn.execute_batch(Batch()); }, "empty batch");
  auto bad = rows(1, 5);
  bad[3].push_back(7);
  auto before = conn.round_trips();
  expect_one_line_usage_error([&] { conn.execute_many(insert, bad); },
                              "takes 2 parameters, 3 given");
  Batch batch;
  batch.add(insert, 1, "one").add("UPDATE items SET name = :name WHERE id = :id", {{"id", 1}});
  expect_one_line_usage_error([&] { conn.execute_batch(batch); }, ":name");
  EXPECT_EQ(conn.round_trips(), before);
  EXPECT_EQ(count(conn), 0);
}

STRATA_ON_BOTH_BACKENDS(Batches);

}  // namespace
}  // namespace strata::test
