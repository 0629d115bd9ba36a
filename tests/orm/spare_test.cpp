// The per-thread spare buffers of a session's large lists (src/orm/spare.hpp): which buffer a
// list gets back, which ones are kept, and that another thread's are its own.
#include "orm/spare.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace strata::orm::detail {
namespace {

// A type of this test's own, so that no session of another test shares its spares.
struct Cell {
  long a = 0;
};
using Cells = Spare<Cell>;

std::vector<Cell> sized(std::size_t n) {
  std::vector<Cell> v;
  v.reserve(n);
  return v;
}

void empty_the_pool() {
  while (Cells::take().capacity() > 0) {
  }
}

TEST(OrmSpare, AGivenBufferComesBackEmptyWithItsMemory) {
  empty_the_pool();
  auto list = sized(1000);
  list.resize(10);
  const Cell* memory = list.data();
  Cells::give(list);
  EXPECT_EQ(list.capacity(), 0u);
  auto again = Cells::take();
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(again.data(), memory);
  EXPECT_EQ(Cells::take().capacity(), 0u);  // nothing else kept
}

TEST(OrmSpare, TakeGivesTheLargestOrTheSmallestThatFits) {
  empty_the_pool();
  for (std::size_t n : {100u, 4000u, 1000u}) {
    auto v = sized(n);
    Cells::give(v);
  }
  auto fits = Cells::take(500);
  EXPECT_GE(fits.capacity(), 1000u);
  EXPECT_LT(fits.capacity(), 4000u);
  EXPECT_EQ(Cells::take(5000).capacity(), 0u);  // none holds 5000: a new one, the rest kept
  EXPECT_GE(Cells::take().capacity(), 4000u);
  EXPECT_GE(Cells::take().capacity(), 100u);
  EXPECT_EQ(Cells::take().capacity(), 0u);
}

TEST(OrmSpare, TheSmallestGoFirstPastTheLimits) {
  empty_the_pool();
  for (std::size_t n = 1; n <= Cells::kSlots + 2; ++n) {
    auto v = sized(n * 100);
    Cells::give(v);
  }
  std::vector<std::size_t> kept;
  for (auto v = Cells::take(); v.capacity() > 0; v = Cells::take()) kept.push_back(v.capacity());
  ASSERT_EQ(kept.size(), Cells::kSlots);
  EXPECT_GE(kept.back(), 300u);  // the 100- and 200-cell buffers were dropped

  auto huge = sized(Cells::kKeepBytes / sizeof(Cell) + 1);
  Cells::give(huge);
  EXPECT_EQ(Cells::take().capacity(), 0u);  // over the limit on its own: freed
}

TEST(OrmSpare, AScopedListLendsAndReturnsTheBuffer) {
  empty_the_pool();
  std::vector<Cell> list;
  {
    Spare scope(list);
    list.resize(5000);
  }
  EXPECT_EQ(list.capacity(), 0u);
  std::vector<Cell> next;
  {
    Spare scope(next);
    EXPECT_GE(next.capacity(), 5000u);
    std::vector<Cell> nested;  // the thread's one buffer is lent: a nested list starts empty
    Spare inner(nested);
    EXPECT_EQ(nested.capacity(), 0u);
  }
}

TEST(OrmSpare, EachThreadKeepsItsOwn) {
  empty_the_pool();
  auto v = sized(1000);
  Cells::give(v);
  std::size_t seen = 1;
  std::thread([&] { seen = Cells::take().capacity(); }).join();
  EXPECT_EQ(seen, 0u);
  EXPECT_GE(Cells::take().capacity(), 1000u);
}

}  // namespace
}  // namespace strata::orm::detail
