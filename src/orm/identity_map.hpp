// The identity map of one mapped type in one session: primary key -> the session's object.
// Open addressing with linear probing over one array of entry pointers, so that loading
// 200,000 rows costs no allocation per row beyond the object itself; the entries' own keys are
// compared. Owns its entries. Used by one thread at a time, like its Session.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "strata/orm/mapper.hpp"

namespace strata::orm::detail {

class IdentityMap {
 public:
  IdentityMap() = default;
  IdentityMap(IdentityMap&& other) noexcept;
  IdentityMap& operator=(IdentityMap&& other) noexcept;
  IdentityMap(const IdentityMap&) = delete;
  IdentityMap& operator=(const IdentityMap&) = delete;
  ~IdentityMap() { clear(); }

  Entry* find(const IdentityKey& key) const noexcept;
  // Takes `entry` (whose key is set), replacing and returning an entry with the same key.
  std::unique_ptr<Entry> insert(std::unique_ptr<Entry> entry);
  std::unique_ptr<Entry> erase(const IdentityKey& key);
  // Hands over every entry and empties the map.
  std::vector<std::unique_ptr<Entry>> release_all();
  void clear() noexcept;
  std::size_t size() const noexcept { return size_; }

  template <class F>
  void for_each(F&& f) const {
    if (size_ == 0) return;
    for (Entry* e : slots_) {
      if (e) f(*e);
    }
  }

 private:
  std::size_t slot_of(const IdentityKey& key) const noexcept;
  void grow();

  std::vector<Entry*> slots_;  // a power of two long; nullptr: free
  std::size_t size_ = 0;
};

}  // namespace strata::orm::detail
