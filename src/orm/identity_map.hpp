// The identity map of one mapped type in one session: primary key -> the session's object.
// Open addressing with linear probing over one array of (hash, entry) slots, so that loading
// 200,000 rows costs no allocation per row, and a probe reads an entry only when the hashes
// agree. The session
// owns the entries; the map only points at them. Used by one thread at a time, like its Session.
#pragma once

#include <cstddef>
#include <vector>

#include "strata/orm/mapper.hpp"

namespace strata::orm::detail {

class IdentityMap {
 public:
  IdentityMap() = default;
  IdentityMap(IdentityMap&&) noexcept = default;
  IdentityMap& operator=(IdentityMap&&) noexcept = default;
  ~IdentityMap();

  Entry* find(const IdentityKey& key) const noexcept;
  // Starts loading the slot of `key` into the cache, for a find() or insert() soon after.
  void prefetch(const IdentityKey& key) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash_of(key) & (slots_.size() - 1)]);
  }
  // Adds `entry` (whose key is set); returns the entry it replaced with the same key, if any.
  Entry* insert(Entry* entry);
  // The entry of `entry`'s key if there is one; else runs `admit()` and then adds `entry`,
  // returning nullptr. One probe where find() and insert() take two, as loading a row does;
  // when admit() throws, the map is as it was (bar a larger table).
  template <class F>
  Entry* find_or_insert(Entry* entry, F&& admit) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    std::size_t hash = hash_of(entry->key);
    Slot& slot = slots_[probe(entry->key, hash)];
    if (slot.entry) return slot.entry;
    admit();
    slot = {hash, entry};
    ++size_;
    return nullptr;
  }
  // Room for `n` more entries without growing on the way.
  void reserve(std::size_t n);
  // Removes and returns the entry of `key`, if any.
  Entry* erase(const IdentityKey& key);
  void clear() noexcept;
  std::size_t size() const noexcept { return size_; }

  template <class F>
  void for_each(F&& f) const {
    if (size_ == 0) return;
    for (const Slot& s : slots_) {
      if (s.entry) f(*s.entry);
    }
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    Entry* entry = nullptr;  // nullptr: free
  };
  static std::size_t hash_of(const IdentityKey& key) noexcept;
  std::size_t probe(const IdentityKey& key, std::size_t hash) const noexcept;
  void grow() { rehash(slots_.empty() ? 16 : slots_.size() * 2); }
  void rehash(std::size_t slots);

  std::vector<Slot> slots_;  // a power of two long
  std::size_t size_ = 0;
};

}  // namespace strata::orm::detail
