// A migration on a busy PostgreSQL: each revision's statements wait for a lock no longer than
// its lock_timeout, a revision that gave up is rolled back and tried again, and the
// application's queries on the table go on meanwhile. The limits are SET LOCAL, so nothing stays
// on the session; statement_timeout cancels a long statement. SQLite accepts the keys and has no
// such limits.
#include <chrono>
#include <future>
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/runner.hpp>

#include "migrations_fixture.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;
using std::chrono::milliseconds;
using Ids = std::vector<std::string>;

const char* kInit = R"yaml(revision: aaaa00000001
down_revision: null
upgrade:
  - create_table:
      name: t
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: text}
  - bulk_insert: {table: t, rows: [{id: 1, title: one}]}
downgrade:
  - drop_table: {name: t}
)yaml";

// `keys` go at the top of the file: lock_timeout, statement_timeout, transactional.
std::string add_note(const std::string& keys = "") {
  return R"yaml(revision: bbbb00000002
down_revision: aaaa00000001
)yaml" + keys +
         R"yaml(upgrade:
  - add_column: {table: t, column: {name: note, type: text}}
downgrade:
  - drop_column: {table: t, name: note}
)yaml";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class LockTimeoutTest : public MigrationsTest {
 protected:
  void SetUp() override {
    MigrationsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    write("20250101_0000_aaaa00000001_init.yaml", kInit);
    runner().upgrade("aaaa00000001");
  }

  // Another session reading t in a transaction it keeps open: its ACCESS SHARE lock makes an
  // ALTER of t wait.
  struct Blocker {
    Connection conn;
    std::optional<Transaction> tx;
    std::int64_t pid = 0;
  };
  Blocker block(Engine& engine) {
    Blocker b{engine.connect(), std::nullopt, 0};
    b.pid = b.conn.execute("SELECT pg_backend_pid()").scalar<std::int64_t>();
    b.tx.emplace(b.conn.begin());
    b.conn.execute("SELECT count(*) FROM t").scalar<std::int64_t>();
    return b;
  }

  bool has_note() { return Inspector(*engine_).table("t").column("note") != nullptr; }
  Ids current() { return runner().current(); }
  std::string show(Connection& conn, const std::string& setting) {
    return conn.execute("SHOW " + setting).scalar<std::string>();
  }
};

// The test's shape: the ALTER is seen queued behind the long transaction; only then does the
// application's query start, on a third session. It queues behind the ALTER, and must come back
// while the long transaction is still open: the ALTER gave up its place in the queue. The
// application's own statement_timeout only keeps a broken run from hanging the test.
TEST_P(LockTimeoutTest, GivesUpAfterItsRetriesWhileTheApplicationsQueryCompletes) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no lock_timeout (see SqliteIgnoresTheKeys)";
  write("20250101_0001_bbbb00000002_note.yaml", add_note("lock_timeout: 200ms\n"));
  auto other = make_engine();
  Blocker blocker = block(other);
  auto history = count("SELECT count(*) FROM strata_history");
  Ids retries;
  RunnerOptions options;  // 5 s by default: the file's 200ms wins
  options.lock_retries = 2;
  options.retry_backoff = milliseconds(0);
  options.retrying = [&](const std::string& line) { retries.push_back(line); };
  auto s = scripts();
  auto migration = std::async(std::launch::async, [&] { Runner(*engine_, s, options).upgrade(); });

  auto watcher = other.connect();
  while (watcher
             .execute("SELECT count(*) FROM pg_locks WHERE relation = 't'::regclass AND "
                      "mode = 'AccessExclusiveLock' AND NOT granted")
             .scalar<std::int64_t>() == 0) {
    ASSERT_EQ(migration.wait_for(milliseconds(5)), std::future_status::timeout)
        << "the migration ended before its ALTER was seen waiting";
  }
  auto app = other.connect();
  app.execute_script("SET statement_timeout = '60s'");
  EXPECT_EQ(app.execute("SELECT count(*) FROM t").scalar<std::int64_t>(), 1);
  EXPECT_TRUE(blocker.tx->active()) << "the long transaction is still open";

  try {
    migration.get();
    FAIL() << "expected the migration to give up";
  } catch (const MigrationError& e) {
    std::string what = e.what();
    EXPECT_TRUE(contains(what, "revision bbbb00000002 (")) << what;
    EXPECT_TRUE(contains(what,
                         "upgrade operation 1 (add_column) waited 200ms (lock_timeout) for "
                         "a lock on t, held by pid "))
        << what;
    EXPECT_TRUE(contains(what, "pid " + std::to_string(blocker.pid) + " (idle in transaction"))
        << what;
    EXPECT_TRUE(contains(what, ", 3 times; the revision was rolled back")) << what;
    EXPECT_TRUE(contains(what, "raise lock_timeout")) << what;
  }
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_TRUE(contains(retries[0], "rolled back, try 2 of 3 in 0s")) << retries[0];
  EXPECT_TRUE(contains(retries[1], "try 3 of 3")) << retries[1];
  blocker.tx->commit();
  EXPECT_FALSE(has_note());
  EXPECT_EQ(current(), Ids{"aaaa00000001"});
  EXPECT_EQ(count("SELECT count(*) FROM strata_history"), history);
}

// The blocker ends as soon as the first retry is announced: the retry takes the lock.
TEST_P(LockTimeoutTest, ARetryAfterTheBlockerEndedSucceeds) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no lock_timeout (see SqliteIgnoresTheKeys)";
  write("20250101_0001_bbbb00000002_note.yaml", add_note());
  auto other = make_engine();
  Blocker blocker = block(other);
  Ids retries;
  RunnerOptions options;
  options.limits.lock_timeout = milliseconds(150);
  options.retry_backoff = milliseconds(10);
  options.retrying = [&](const std::string& line) {
    retries.push_back(line);
    blocker.tx->commit();
  };
  auto taken = runner(options).upgrade();
  ASSERT_EQ(taken.size(), 1u);
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_TRUE(
      contains(retries[0],
               "revision bbbb00000002 (" +
                   (dir() / "migrations/versions/20250101_0001_bbbb00000002_note.yaml").string() +
                   "): upgrade operation 1 (add_column) waited 150ms (lock_timeout) for "
                   "a lock on t, held by "))
      << retries[0];
  EXPECT_TRUE(contains(retries[0], "pid " + std::to_string(blocker.pid))) << retries[0];
  EXPECT_TRUE(contains(retries[0], "; rolled back, try 2 of 4 in ")) << retries[0];
  EXPECT_TRUE(has_note());
  EXPECT_EQ(current(), Ids{"bbbb00000002"});
}

// Outside a transaction what ran stays done, so a revision that gave up is not tried again.
TEST_P(LockTimeoutTest, ARevisionOutsideATransactionIsNotTriedAgain) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no lock_timeout (see SqliteIgnoresTheKeys)";
  write("20250101_0001_bbbb00000002_note.yaml",
        add_note("transactional: false\nlock_timeout: 100ms\n"));
  auto other = make_engine();
  Blocker blocker = block(other);
  int retries = 0;
  RunnerOptions options;
  options.retrying = [&](const std::string&) { ++retries; };
  try {
    runner(options).upgrade();
    FAIL() << "expected the migration to give up";
  } catch (const MigrationError& e) {
    EXPECT_TRUE(contains(e.what(), "waited 100ms (lock_timeout) for a lock on t")) << e.what();
    EXPECT_TRUE(contains(e.what(), "not tried again, the revision being outside a transaction"))
        << e.what();
  }
  EXPECT_EQ(retries, 0);
  blocker.tx->commit();
  EXPECT_FALSE(has_note());
  EXPECT_EQ(current(), Ids{"aaaa00000001"});
}

// SET LOCAL in a transaction, SET and RESET around the statements outside one: the connection
// goes back to the pool with the server's settings, failed or not.
TEST_P(LockTimeoutTest, NothingStaysOnTheSession) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no such settings";
  auto one = make_engine("pool_size=1&max_overflow=0");
  std::string lock, statement;
  {
    auto conn = one.connect();
    lock = show(conn, "lock_timeout");
    statement = show(conn, "statement_timeout");
  }
  write("20250101_0001_bbbb00000002_note.yaml", add_note("statement_timeout: 1min\n"));
  write("20250101_0002_cccc00000003_index.yaml", R"yaml(revision: cccc00000003
down_revision: bbbb00000002
transactional: false
lock_timeout: 2s
statement_timeout: 1min
upgrade:
  - create_index: {table: t, columns: [note], concurrently: true}
downgrade:
  - drop_index: {table: t, name: ix_t_note}
)yaml");
  runner_on(one).upgrade();
  auto after = one.connect();
  EXPECT_EQ(show(after, "lock_timeout"), lock);
  EXPECT_EQ(show(after, "statement_timeout"), statement);
}

TEST_P(LockTimeoutTest, StatementTimeoutCancelsALongStatement) {
  write("20250101_0001_bbbb00000002_slow.yaml", R"yaml(revision: bbbb00000002
down_revision: aaaa00000001
statement_timeout: 100ms
upgrade:
  - add_column: {table: t, column: {name: note, type: text}}
  - execute: {sql: "SELECT 1", postgresql: "SELECT pg_sleep(1)"}
downgrade:
  - drop_column: {table: t, name: note}
)yaml");
  if (is_sqlite()) {
    EXPECT_EQ(runner().upgrade().size(), 1u);
    return;
  }
  try {
    runner().upgrade();
    FAIL() << "expected the statement to be cancelled";
  } catch (const MigrationError& e) {
    EXPECT_TRUE(
        contains(e.what(),
                 "revision bbbb00000002 (" +
                     (dir() / "migrations/versions/20250101_0001_bbbb00000002_slow.yaml").string() +
                     "): upgrade operation 2 (execute) ran longer than statement_timeout "
                     "100ms and was cancelled; the revision was rolled back: raise "
                     "statement_timeout"))
        << e.what();
  }
  EXPECT_FALSE(has_note());
  EXPECT_EQ(current(), Ids{"aaaa00000001"});
}

// SQLite has neither setting: the keys, in strata.toml's shape and in the files, change nothing.
TEST_P(LockTimeoutTest, SqliteIgnoresTheKeys) {
  if (!is_sqlite()) GTEST_SKIP() << "the PostgreSQL side is in the tests above";
  write("20250101_0001_bbbb00000002_note.yaml",
        add_note("lock_timeout: 1ms\nstatement_timeout: 1ms\n"));
  RunnerOptions options;
  options.limits = {milliseconds(1), milliseconds(1)};
  EXPECT_EQ(runner(options).upgrade().size(), 1u);
  EXPECT_TRUE(has_note());
  EXPECT_EQ(runner(options).downgrade("-1").size(), 1u);
  EXPECT_FALSE(has_note());
}

STRATA_ON_BOTH_BACKENDS(LockTimeoutTest);

}  // namespace
}  // namespace strata::test
