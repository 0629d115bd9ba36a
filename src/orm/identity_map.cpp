#include "identity_map.hpp"

#include <utility>

namespace strata::orm::detail {

IdentityMap::IdentityMap(IdentityMap&& other) noexcept
    : slots_(std::move(other.slots_)), size_(std::exchange(other.size_, 0)) {
  other.slots_.clear();
}

IdentityMap& IdentityMap::operator=(IdentityMap&& other) noexcept {
  if (this != &other) {
    clear();
    slots_ = std::move(other.slots_);
    size_ = std::exchange(other.size_, 0);
    other.slots_.clear();
  }
  return *this;
}

std::size_t IdentityMap::slot_of(const IdentityKey& key) const noexcept {
  std::size_t h = IdentityKeyHash{}(key);
  return (h ^ (h >> 29)) & (slots_.size() - 1);
}

Entry* IdentityMap::find(const IdentityKey& key) const noexcept {
  if (size_ == 0) return nullptr;
  for (std::size_t i = slot_of(key);; i = (i + 1) & (slots_.size() - 1)) {
    Entry* e = slots_[i];
    if (!e) return nullptr;
    if (e->key == key) return e;
  }
}

std::unique_ptr<Entry> IdentityMap::insert(std::unique_ptr<Entry> entry) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  for (std::size_t i = slot_of(entry->key);; i = (i + 1) & (slots_.size() - 1)) {
    Entry*& slot = slots_[i];
    if (!slot) {
      slot = entry.release();
      ++size_;
      return nullptr;
    }
    if (slot->key == entry->key) {
      std::unique_ptr<Entry> old(slot);
      slot = entry.release();
      return old;
    }
  }
}

std::unique_ptr<Entry> IdentityMap::erase(const IdentityKey& key) {
  if (size_ == 0) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = slot_of(key);
  for (;; i = (i + 1) & mask) {
    if (!slots_[i]) return nullptr;
    if (slots_[i]->key == key) break;
  }
  std::unique_ptr<Entry> out(slots_[i]);
  slots_[i] = nullptr;
  --size_;
  // Backward-shift deletion: move later entries of the probe run into the hole.
  for (std::size_t j = (i + 1) & mask; slots_[j]; j = (j + 1) & mask) {
    std::size_t home = slot_of(slots_[j]->key);
    bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = slots_[j];
      slots_[j] = nullptr;
      i = j;
    }
  }
  return out;
}

std::vector<std::unique_ptr<Entry>> IdentityMap::release_all() {
  std::vector<std::unique_ptr<Entry>> out;
  out.reserve(size_);
  for (Entry*& e : slots_) {
    if (e) out.emplace_back(std::exchange(e, nullptr));
  }
  size_ = 0;
  return out;
}

void IdentityMap::clear() noexcept {
  for (Entry*& e : slots_) std::unique_ptr<Entry>(std::exchange(e, nullptr)).reset();
  size_ = 0;
}

void IdentityMap::grow() {
  std::vector<Entry*> old = std::move(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, nullptr);
  const std::size_t mask = slots_.size() - 1;
  for (Entry* e : old) {
    if (!e) continue;
    std::size_t i = slot_of(e->key);
    while (slots_[i]) i = (i + 1) & mask;
    slots_[i] = e;
  }
}

}  // namespace strata::orm::detail
