// Working lists of a flush whose buffers stay on the thread until its next flush. A session
// lives for one request, and each flush builds lists as long as its changed objects; glibc
// hands a large freed block back to the system at once, so every request would fault the
// pages in afresh (measured: a flush of 20,000 changed objects took some 700 page faults, a
// quarter of its time, until these lists were kept). Private to src/orm.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace strata::orm::detail {

// Lends the calling thread's spare buffer to `list` (empty, its capacity kept) for as long as
// this object lives, and keeps `list`'s buffer for the next one unless it grew past
// kKeepBytes. One list of each type at a time: a second one, nested, starts empty.
template <class T>
class Spare {
 public:
  static constexpr std::size_t kKeepBytes = std::size_t{16} << 20;

  explicit Spare(std::vector<T>& list) : list_(list) {
    list_.clear();
    list_.swap(slot());
  }
  ~Spare() {
    list_.clear();
    if (list_.capacity() * sizeof(T) <= kKeepBytes) list_.swap(slot());
    std::vector<T>().swap(list_);
  }
  Spare(const Spare&) = delete;
  Spare& operator=(const Spare&) = delete;

 private:
  static std::vector<T>& slot() {
    thread_local std::vector<T> spare;
    return spare;
  }

  std::vector<T>& list_;
};

}  // namespace strata::orm::detail
