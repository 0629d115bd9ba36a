// Memory for a session's entries: bump allocation in blocks of 1 MiB, freed all at once when
// the session ends. Freed blocks are kept for the next session (up to 64 MiB in the process):
// faulting in fresh pages for 200,000 loaded rows costs more than reading the rows, and malloc
// hands such memory back to the system as soon as it is freed. One session's arena is used by
// one thread at a time; the cache of free blocks is shared and locked. Nothing is freed before
// the session ends: a snapshot saved again after an UPDATE takes new bytes for its text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "strata/orm/mapper.hpp"

namespace strata::orm::detail {

class Arena final : public SnapshotStorage {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  static constexpr std::size_t kBlockSize = std::size_t{1} << 20;

  // `size` bytes aligned to `align` (at most alignof(std::max_align_t)), valid until the
  // arena is destroyed. The bump within the current block is inline: a loaded row takes one.
  void* allocate(std::size_t size, std::size_t align) {
    auto at = (reinterpret_cast<std::uintptr_t>(next_) + align - 1) & ~(align - 1);
    if (next_ && size <= kBlockSize / 8 && at + size <= reinterpret_cast<std::uintptr_t>(end_)) {
      next_ = reinterpret_cast<std::byte*>(at + size);
      return reinterpret_cast<void*>(at);
    }
    return allocate_elsewhere(size, align);
  }
  using SnapshotStorage::allocate;  // unaligned bytes, for snapshots' text

 private:
  void* refill(std::size_t size) override { return allocate(size, 1); }
  // A new block, or a block of its own for a large object.
  void* allocate_elsewhere(std::size_t size, std::size_t align);

  std::vector<std::byte*> blocks_;                   // whole blocks, returned to the cache
  std::vector<std::unique_ptr<std::byte[]>> large_;  // objects too big to share a block
};

}  // namespace strata::orm::detail
