// Buffers of a session's large lists kept on the thread for its next session. A session lives
// for one request, and its lists (entries, identity map slots, a flush's changed objects and
// values) are as long as its objects; glibc hands a large freed block back to the system at
// once, so every request would fault the pages in afresh (measured: a flush of 20,000 changed
// objects took some 700 page faults, a quarter of its time, until its lists were kept).
// Private to src/orm.
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace strata::orm::detail {

// Lends one of the calling thread's spare buffers to `list` (empty, its capacity kept) for as
// long as this object lives, then keeps `list`'s buffer for the next one. take() and give() do
// the same for a list that outlives one scope.
template <class T>
class Spare {
 public:
  static constexpr std::size_t kKeepBytes = std::size_t{16} << 20;  // kept per thread, in all
  static constexpr std::size_t kSlots = 4;                          // buffers kept per thread

  explicit Spare(std::vector<T>& list) : list_(list) {
    std::vector<T> spare = take();
    list_.swap(spare);
  }
  ~Spare() { give(list_); }
  Spare(const Spare&) = delete;
  Spare& operator=(const Spare&) = delete;

  // A spare buffer of this thread, empty: the smallest one that holds `at_least` elements
  // (or the largest, for 0), or a new empty vector when none does.
  static std::vector<T> take(std::size_t at_least = 0) noexcept {
    Pool& p = pool();
    std::size_t best = kSlots;
    for (std::size_t i = 0; i < p.size; ++i) {
      const std::size_t cap = p.kept[i].capacity();
      if (at_least == 0 ? best == kSlots || cap > p.kept[best].capacity()
                        : cap >= at_least && (best == kSlots || cap < p.kept[best].capacity())) {
        best = i;
      }
    }
    if (best == kSlots) return {};
    std::vector<T> out = std::move(p.kept[best]);
    if (best != --p.size) p.kept[best] = std::move(p.kept[p.size]);
    return out;
  }
  // Empties `list` and keeps its buffer for this thread's next take(). Past kSlots buffers or
  // kKeepBytes in all, the smallest kept ones are freed first.
  static void give(std::vector<T>& list) noexcept {
    list.clear();
    Pool& p = pool();
    if (list.capacity() > 0 && list.capacity() * sizeof(T) <= kKeepBytes) {
      if (p.size == kSlots) p.drop_smallest();
      p.kept[p.size++] = std::move(list);
      while (p.bytes() > kKeepBytes) p.drop_smallest();
    }
    std::vector<T>().swap(list);
  }

 private:
  struct Pool {
    std::array<std::vector<T>, kSlots> kept;
    std::size_t size = 0;

    std::size_t bytes() const noexcept {
      std::size_t sum = 0;
      for (std::size_t i = 0; i < size; ++i) sum += kept[i].capacity() * sizeof(T);
      return sum;
    }
    void drop_smallest() noexcept {
      std::size_t smallest = 0;
      for (std::size_t i = 1; i < size; ++i) {
        if (kept[i].capacity() < kept[smallest].capacity()) smallest = i;
      }
      std::vector<T>().swap(kept[smallest]);
      if (smallest != --size) kept[smallest] = std::move(kept[size]);
    }
  };
  static Pool& pool() noexcept {
    thread_local Pool p;
    return p;
  }

  std::vector<T>& list_;
};

}  // namespace strata::orm::detail
