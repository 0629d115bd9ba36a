// The in-process queue of SQLite writers: first come, first served, and bounded waits.
#include "driver/sqlite/write_gate.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::driver::sqlite {
namespace {

using Clock = std::chrono::steady_clock;

void wait_for_waiters(WriteGate& gate, std::size_t n) {
  while (gate.waiting() < n) std::this_thread::yield();
}

TEST(WriteGate, WritersEnterInArrivalOrderAndNoNewcomerOvertakes) {
  auto gate = WriteGate::of("/tmp/strata-write-gate-order.db");
  ASSERT_TRUE(gate->enter(Clock::now() + std::chrono::seconds(30)));
  std::mutex order_mutex;
  std::vector<int> order;
  auto writer = [&](int id) {
    return std::thread([&, id] {
      ASSERT_TRUE(gate->enter(Clock::now() + std::chrono::seconds(30)));
      std::lock_guard lock(order_mutex);
      order.push_back(id);
      gate->leave();
    });
  };
  std::thread first = writer(1);
  wait_for_waiters(*gate, 1);
  std::thread second = writer(2);
  wait_for_waiters(*gate, 2);
  gate->leave();
  // Coming back at once, the holder queues behind both waiters.
  ASSERT_TRUE(gate->enter(Clock::now() + std::chrono::seconds(30)));
  {
    std::lock_guard lock(order_mutex);
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
  }
  gate->leave();
  first.join();
  second.join();
}

TEST(WriteGate, AWaitPastItsDeadlineGivesUpAndLeavesTheQueue) {
  auto gate = WriteGate::of("/tmp/strata-write-gate-timeout.db");
  ASSERT_TRUE(gate->enter(Clock::now()));
  bool entered = true;
  std::thread late([&] { entered = gate->enter(Clock::now() + std::chrono::milliseconds(20)); });
  late.join();
  EXPECT_FALSE(entered);
  EXPECT_EQ(gate->waiting(), 0U);
  gate->leave();
  EXPECT_TRUE(gate->enter(Clock::now()));
  gate->leave();
}

TEST(WriteGate, OneGatePerFile) {
  auto dir = std::filesystem::temp_directory_path();
  auto a = WriteGate::of((dir / "strata-gate-a.db").string());
  EXPECT_EQ(WriteGate::of((dir / "." / "strata-gate-a.db").string()), a);
  EXPECT_NE(WriteGate::of((dir / "strata-gate-b.db").string()), a);
}

}  // namespace
}  // namespace strata::driver::sqlite
