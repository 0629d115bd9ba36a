// A mapper's SQL texts by statement shape (dialect, statement, columns, rows), shared by every
// session in every thread. The session asks for a text at every get and flush, so reads take
// no lock: a text is made once, under the lock, and published in an open-addressing hash table
// that only grows. An outgrown table is kept rather than freed, since a reader may still be
// probing it; kept tables together hold fewer slots than the current one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/core/mutex.hpp"

namespace strata::orm::detail {

class SqlCache {
 public:
  // What a text is made for, packed into two words by the mapper.
  struct Key {
    std::uint64_t columns = 0;
    std::uint64_t form = 0;
    bool operator==(const Key&) const = default;
  };

  SqlCache() = default;
  SqlCache(const SqlCache&) = delete;
  SqlCache& operator=(const SqlCache&) = delete;
  ~SqlCache() = default;

  // The text for `key`, made by `make` the first time; valid as long as the cache.
  template <class Make>
  const std::string& get(const Key& key, Make&& make) {
    if (const std::string* found = find(key)) return *found;
    return add(key, std::forward<Make>(make));
  }

 private:
  struct Item {
    Key key;
    std::string sql;
  };
  struct Slots {
    explicit Slots(std::size_t capacity)
        : mask(capacity - 1), items(std::make_unique<std::atomic<const Item*>[]>(capacity)) {}
    std::size_t mask;  // capacity - 1, the capacity a power of two
    std::unique_ptr<std::atomic<const Item*>[]> items;
  };

  static constexpr std::size_t kFirstCapacity = 16;

  static std::size_t hash(const Key& key) noexcept {
    auto mix = [](std::uint64_t x) {  // splitmix64's finalizer
      x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
      x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
      return x ^ (x >> 31);
    };
    return static_cast<std::size_t>(mix(key.columns ^ mix(key.form)));
  }

  const std::string* find(const Key& key) const noexcept {
    const Slots* slots = current_.load(std::memory_order_acquire);
    if (!slots) return nullptr;
    // At most half the slots are taken: the probe ends at a free one.
    for (std::size_t i = hash(key) & slots->mask;; i = (i + 1) & slots->mask) {
      const Item* item = slots->items[i].load(std::memory_order_acquire);
      if (!item) return nullptr;
      if (item->key == key) return &item->sql;
    }
  }

  // Puts `item` in the first free slot from its hash on; `slots` has one.
  static void place(const Slots& slots, const Item* item) noexcept {
    std::size_t i = hash(item->key) & slots.mask;
    while (slots.items[i].load(std::memory_order_relaxed)) i = (i + 1) & slots.mask;
    slots.items[i].store(item, std::memory_order_release);
  }

  const std::string& add(const Key& key, const std::function<std::string()>& make) {
    strata::detail::MutexLock lock(mutex_);
    if (const std::string* found = find(key)) return *found;  // made meanwhile
    items_.push_back(std::make_unique<const Item>(Item{key, make()}));
    const Item* item = items_.back().get();
    const Slots* slots = current_.load(std::memory_order_relaxed);
    if (slots && items_.size() * 2 <= slots->mask + 1) {
      place(*slots, item);
      return item->sql;
    }
    // A table twice the size with every item, published whole: readers see the old or this.
    auto grown = std::make_unique<const Slots>(slots ? 2 * (slots->mask + 1) : kFirstCapacity);
    for (const auto& each : items_) place(*grown, each.get());
    current_.store(grown.get(), std::memory_order_release);
    tables_.push_back(std::move(grown));
    return item->sql;
  }

  std::atomic<const Slots*> current_{nullptr};
  strata::detail::Mutex mutex_;  // held while adding
  std::vector<std::unique_ptr<const Item>> items_ STRATA_GUARDED_BY(mutex_);
  // The current one last.
  std::vector<std::unique_ptr<const Slots>> tables_ STRATA_GUARDED_BY(mutex_);
};

}  // namespace strata::orm::detail
