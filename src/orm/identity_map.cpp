#include "identity_map.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "spare.hpp"

namespace strata::orm::detail {

// Integer keys come in runs (rows read in key order, ids handed out in sequence): each run of
// kRun consecutive keys shares one cache line of slots, where a scattering hash costs a cache
// miss per row in a large map (loading 200,000 rows spent a sixth of its time there). The runs
// themselves are scattered, and the offset within a run is mixed with the run's hash so that
// keys in steps of kRun do not all start their probes at the same offset. Longer runs save few
// more misses and cost longer probes where two runs meet.
std::size_t IdentityMap::hash_of(const IdentityKey& key) noexcept {
  constexpr std::uint64_t kRun = 4;
  if (key.s.empty()) {
    auto i = static_cast<std::uint64_t>(key.i);
    std::uint64_t run = (i / kRun) * 0x9E3779B97F4A7C15ull;
    run ^= run >> 29;
    return static_cast<std::size_t>(run * kRun | ((i + run) & (kRun - 1)));
  }
  std::size_t h = IdentityKeyHash{}(key);
  return h ^ (h >> 29);
}

// The slot holding `key`, or the free slot that ends its probe run.
std::size_t IdentityMap::probe(const IdentityKey& key, std::size_t hash) const noexcept {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (!s.entry || (s.hash == hash && s.entry->key == key)) return i;
  }
}

Entry* IdentityMap::find(const IdentityKey& key) const noexcept {
  if (size_ == 0) return nullptr;
  return slots_[probe(key, hash_of(key))].entry;
}

Entry* IdentityMap::insert(Entry* entry) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  std::size_t hash = hash_of(entry->key);
  Slot& slot = slots_[probe(entry->key, hash)];
  if (slot.entry) return std::exchange(slot.entry, entry);
  slot = {hash, entry};
  ++size_;
  return nullptr;
}

Entry* IdentityMap::erase(const IdentityKey& key) {
  if (size_ == 0) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = probe(key, hash_of(key));
  Entry* out = std::exchange(slots_[i].entry, nullptr);
  if (!out) return nullptr;
  --size_;
  // Backward-shift deletion: move later entries of the probe run into the hole.
  for (std::size_t j = (i + 1) & mask; slots_[j].entry; j = (j + 1) & mask) {
    std::size_t home = slots_[j].hash & mask;
    bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = std::exchange(slots_[j], Slot{});
      i = j;
    }
  }
  return out;
}

void IdentityMap::clear() noexcept {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
}

void IdentityMap::reserve(std::size_t n) {
  std::size_t slots = std::max<std::size_t>(slots_.size(), 16);
  while ((size_ + n) * 2 > slots) slots *= 2;
  if (slots != slots_.size()) rehash(slots);
}

// The slots' memory is kept on the thread for the next session's map (Spare).
IdentityMap::~IdentityMap() {
  Spare<Slot>::give(slots_);
}

void IdentityMap::rehash(std::size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_ = Spare<Slot>::take(slots);
  slots_.assign(slots, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (!s.entry) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].entry) i = (i + 1) & mask;
    slots_[i] = s;
  }
  Spare<Slot>::give(old);
}

}  // namespace strata::orm::detail
