#include <atomic>
#include <cstdlib>
#include <future>
#include <thread>

#include "support/backends.hpp"

namespace strata::test {
namespace {

class PoolTest : public DatabaseTest {};

TEST_P(PoolTest, ConnectionsAreReused) {
  auto engine = make_engine("pool_size=2");
  for (int i = 0; i < 10; ++i) engine.connect().execute("SELECT 1");
  auto status = engine.pool_status();
  EXPECT_EQ(status.open, 1);
  EXPECT_EQ(status.idle, 1);
  EXPECT_EQ(status.checked_out, 0);
}

TEST_P(PoolTest, OverflowConnectionsCloseOnReturn) {
  auto engine = make_engine("pool_size=1&max_overflow=2");
  {
    auto a = engine.connect();
    auto b = engine.connect();
    auto c = engine.connect();
    EXPECT_EQ(engine.pool_status().open, 3);
    EXPECT_EQ(engine.pool_status().checked_out, 3);
  }
  EXPECT_EQ(engine.pool_status().open, 1);
  EXPECT_EQ(engine.pool_status().idle, 1);
}

TEST_P(PoolTest, ExhaustionByOtherThreadsNamesSizeAndWait) {
  auto engine = make_engine("pool_size=2&max_overflow=0&pool_timeout=0.2");
  std::promise<void> held;
  std::promise<void> release;
  auto holder = std::thread([&] {
    auto a = engine.connect();
    auto b = engine.connect();
    held.set_value();
    release.get_future().wait();
  });
  held.get_future().wait();
  try {
    engine.connect();
    ADD_FAILURE() << "expected the pool to be exhausted";
  } catch (const OperationalError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("pool_size 2 + max_overflow 0"), std::string::npos) << message;
    EXPECT_NE(message.find("0.2 s"), std::string::npos) << message;
  }
  release.set_value();
  holder.join();
  EXPECT_NO_THROW(engine.connect());
}

TEST_P(PoolTest, WaiterGetsAConnectionReturnedInTime) {
  auto engine = make_engine("pool_size=1&max_overflow=0&pool_timeout=10");
  auto first = std::make_unique<Connection>(engine.connect());
  auto waiter = std::async(std::launch::async,
                           [&] { return engine.connect().execute("SELECT 41 + 1").scalar<int>(); });
  first.reset();
  EXPECT_EQ(waiter.get(), 42);
}

// A thread that returns its connection and asks again at once must not overtake a thread
// already waiting: under load that barging is what makes a few requests wait very long.
TEST_P(PoolTest, ReturnedConnectionGoesToTheThreadWaitingLongest) {
  auto engine = make_engine("pool_size=1&max_overflow=0&pool_timeout=30");
  auto first = std::make_unique<Connection>(engine.connect());
  std::atomic<bool> waiter_served = false;
  auto waiter = std::thread([&] {
    auto conn = engine.connect();
    waiter_served = true;
  });
  while (engine.pool_status().waiting == 0) std::this_thread::yield();
  first.reset();
  auto again = engine.connect();
  EXPECT_TRUE(waiter_served);
  waiter.join();
  EXPECT_EQ(engine.pool_status().waiting, 0);
  EXPECT_EQ(engine.pool_status().open, 1);
}

TEST_P(PoolTest, BadPoolParametersAreConfigErrors) {
  EXPECT_THROW(make_engine("pool_size=0"), ConfigError);
  EXPECT_THROW(make_engine("pool_timeout=soon"), ConfigError);
  EXPECT_THROW(make_engine("pool_pre_ping=maybe"), ConfigError);
}

TEST_P(PoolTest, PrePingAndRecycleStillHandOutWorkingConnections) {
  auto engine = make_engine("pool_pre_ping=true&pool_recycle=3600");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(engine.connect().execute("SELECT 1").scalar<int>(), 1);
}

STRATA_ON_BOTH_BACKENDS(PoolTest);

TEST(MemoryDatabase, OneConnectionIsSharedAcrossTheEngine) {
  auto engine = create_engine("sqlite://");
  engine.connect().execute_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
  EXPECT_EQ(engine.connect().execute("SELECT count(*) FROM t").scalar<int>(), 1);
  auto held = engine.connect();
  EXPECT_EQ(engine.pool_status().size, 1);
  EXPECT_EQ(engine.pool_status().open, 1);
}

// A connection whose server went away while it sat in the pool is replaced at checkout.
TEST(PostgresRestart, NextCheckoutAfterServerRestartWorks) {
  if (postgres_server_url().empty()) {
    const char* skip = std::getenv("STRATA_SKIP_POSTGRES");
    if (skip && std::string(skip) == "1") GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1";
    FAIL() << "STRATA_TEST_POSTGRES_URL is not set: run through `make test`";
  }
  const char* ctl = std::getenv("STRATA_TEST_PG_CTL");
  ASSERT_NE(ctl, nullptr) << "STRATA_TEST_PG_CTL is not set: run through `make test`";
  auto engine = create_engine(postgres_server_url());
  EXPECT_EQ(engine.connect().execute("SELECT 1").scalar<int>(), 1);
  ASSERT_EQ(std::system((std::string(ctl) + " restart -m fast >/dev/null").c_str()), 0);
  EXPECT_EQ(engine.connect().execute("SELECT 2").scalar<int>(), 2);
  EXPECT_EQ(engine.pool_status().open, 1);
}

}  // namespace
}  // namespace strata::test
