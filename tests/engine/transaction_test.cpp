#include "support/backends.hpp"

namespace strata::test {
namespace {

class Transactions : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    engine_.emplace(make_engine());
    engine_->connect().execute_script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }
  int count() { return engine_->connect().execute("SELECT count(*) FROM t").scalar<int>(); }

  std::optional<Engine> engine_;
};

TEST_P(Transactions, CommitKeepsAndRollbackDiscards) {
  auto conn = engine_->connect();
  {
    auto tx = conn.begin();
    conn.execute("INSERT INTO t VALUES (1, 'a')");
    EXPECT_TRUE(conn.in_transaction());
    tx.commit();
  }
  {
    auto tx = conn.begin();
    conn.execute("INSERT INTO t VALUES (2, 'b')");
    tx.rollback();
  }
  {
    auto tx = conn.begin();
    conn.execute("INSERT INTO t VALUES (3, 'c')");
  }  // not committed: rolled back here
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(count(), 1);
}

TEST_P(Transactions, SavepointsNest) {
  auto conn = engine_->connect();
  auto outer = conn.begin();
  conn.execute("INSERT INTO t VALUES (1, 'outer')");
  {
    auto inner = conn.begin();
    EXPECT_TRUE(inner.is_savepoint());
    conn.execute("INSERT INTO t VALUES (2, 'inner, rolled back')");
    inner.rollback();
  }
  {
    auto inner = conn.begin();
    conn.execute("INSERT INTO t VALUES (3, 'inner, kept')");
    inner.commit();
  }
  outer.commit();
  auto ids = conn.execute("SELECT id FROM t ORDER BY id");
  std::vector<int> seen;
  for (const auto& row : ids) seen.push_back(row.get<int>(0));
  EXPECT_EQ(seen, (std::vector<int>{1, 3}));
}

TEST_P(Transactions, OuterCannotEndBeforeInner) {
  auto conn = engine_->connect();
  auto outer = conn.begin();
  auto inner = conn.begin();
  EXPECT_THROW(outer.commit(), UsageError);
  inner.commit();
  outer.commit();
  EXPECT_THROW(outer.commit(), UsageError);
}

TEST_P(Transactions, ConnectionReturnedWithOpenTransactionIsRolledBack) {
  {
    auto conn = engine_->connect();
    conn.execute_script("BEGIN");
    conn.execute("INSERT INTO t VALUES (1, 'left open')");
  }
  auto conn = engine_->connect();
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_EQ(count(), 0);
}

TEST_P(Transactions, ImmediateBeginTakesTheWriteLockAtOnce) {
  auto writer = engine_->connect();
  auto tx = writer.begin_immediate();
  writer.execute("INSERT INTO t VALUES (1, 'x')");
  tx.commit();
  EXPECT_EQ(count(), 1);
}

TEST_P(Transactions, FailedStatementThenRollbackLeavesConnectionUsable) {
  auto conn = engine_->connect();
  conn.execute("INSERT INTO t VALUES (1, 'a')");
  {
    auto tx = conn.begin();
    EXPECT_THROW(conn.execute("INSERT INTO t VALUES (1, 'dup')"), IntegrityError);
  }
  EXPECT_EQ(conn.execute("SELECT v FROM t WHERE id = 1").scalar<std::string>(), "a");
}

STRATA_ON_BOTH_BACKENDS(Transactions);

}  // namespace
}  // namespace strata::test

namespace strata::test {
namespace {

class Lifetimes : public DatabaseTest {};

TEST_P(Lifetimes, ResultOutlivesItsConnection) {
  auto engine = make_engine("pool_size=1&max_overflow=0&pool_timeout=0.2");
  engine.connect().execute_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)");
  auto result = engine.connect().execute("SELECT x FROM t ORDER BY x");
  EXPECT_EQ(engine.pool_status().checked_out, 1);
  EXPECT_THROW(engine.connect(), OperationalError);  // still lent to the Result
  int sum = 0;
  for (const auto& row : result) sum += row.get<int>(0);
  EXPECT_EQ(sum, 3);
  { auto gone = std::move(result); }
  EXPECT_EQ(engine.pool_status().checked_out, 0);
  EXPECT_NO_THROW(engine.connect());
}

TEST_P(Lifetimes, TransactionSurvivesMovingTheConnection) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script("CREATE TABLE t (x INTEGER)");
  {
    auto tx = conn.begin();
    conn.execute("INSERT INTO t VALUES (1)");
    Connection moved = std::move(conn);
    tx.commit();
    conn = std::move(moved);
  }
  EXPECT_EQ(conn.execute("SELECT count(*) FROM t").scalar<int>(), 1);
}

// PostgreSQL aborts a transaction at its first error and would answer COMMIT with a silent
// ROLLBACK; strata says so. SQLite keeps the transaction, so the commit goes through there.
TEST_P(Lifetimes, CommitAfterAFailedStatement) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script("CREATE TABLE t (x INTEGER PRIMARY KEY)");
  auto tx = conn.begin();
  conn.execute("INSERT INTO t VALUES (1)");
  EXPECT_THROW(conn.execute("INSERT INTO t VALUES (1)"), IntegrityError);
  if (is_sqlite()) {
    tx.commit();
    EXPECT_EQ(conn.execute("SELECT count(*) FROM t").scalar<int>(), 1);
  } else {
    EXPECT_THROW(tx.commit(), ProgrammingError);
    EXPECT_FALSE(conn.in_transaction());
    EXPECT_EQ(conn.execute("SELECT count(*) FROM t").scalar<int>(), 0);
  }
}

TEST_P(Lifetimes, FailedSavepointRollsBackToItself) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script("CREATE TABLE t (x INTEGER PRIMARY KEY)");
  auto outer = conn.begin();
  conn.execute("INSERT INTO t VALUES (1)");
  {
    auto inner = conn.begin();
    conn.execute("INSERT INTO t VALUES (2)");
    EXPECT_THROW(conn.execute("INSERT INTO t VALUES (1)"), IntegrityError);
    if (is_sqlite()) {
      inner.rollback();
    } else {
      EXPECT_THROW(inner.commit(), ProgrammingError);
    }
  }
  outer.commit();
  EXPECT_EQ(conn.execute("SELECT count(*) FROM t").scalar<int>(), 1);
}

STRATA_ON_BOTH_BACKENDS(Lifetimes);

}  // namespace
}  // namespace strata::test
