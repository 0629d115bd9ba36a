#include <atomic>
#include <thread>

#include "support/backends.hpp"

namespace strata::test {
namespace {

class Concurrency : public DatabaseTest {};

// 8 threads x 1,000 write transactions through one engine: no "database is locked" reaches a
// caller, and every committed row is there afterwards.
TEST_P(Concurrency, ManyWritersOnOneEngine) {
  constexpr int kThreads = 8;
  constexpr int kTransactions = 1000;
  // SQLite's busy handler is not fair: on a slow run (sanitizers, a loaded machine) one writer
  // can wait past the default 5 s while the others take turns. The test is about lost writes,
  // not waiting times, so it waits as long as it takes.
  auto engine = make_engine(is_sqlite() ? "pool_size=8&busy_timeout=120000" : "pool_size=8");
  engine.connect().execute_script(
      "CREATE TABLE events (thread INTEGER NOT NULL, seq INTEGER NOT NULL, "
      "PRIMARY KEY (thread, seq))");
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto conn = engine.connect();
        for (int i = 0; i < kTransactions; ++i) {
          auto tx = conn.begin_immediate();
          conn.execute("INSERT INTO events (thread, seq) VALUES (?, ?)", t, i);
          tx.commit();
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(failure_mutex);
        if (failures++ == 0) first_failure = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  auto conn = engine.connect();
  EXPECT_EQ(conn.execute("SELECT count(*) FROM events").scalar<int>(), kThreads * kTransactions);
  EXPECT_EQ(conn.execute("SELECT count(DISTINCT thread) FROM events").scalar<int>(), kThreads);
}

STRATA_ON_BOTH_BACKENDS(Concurrency);

}  // namespace
}  // namespace strata::test
