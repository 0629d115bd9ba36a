// Memory for a session's entries: bump allocation in blocks of 1 MiB, freed all at once when
// the session ends. Freed blocks are kept for the next session (up to 64 MiB in the process):
// faulting in fresh pages for 200,000 loaded rows costs more than reading the rows, and malloc
// hands such memory back to the system as soon as it is freed. One session's arena is used by
// one thread at a time; the cache of free blocks is shared and locked. Nothing is freed before
// the session ends: a snapshot saved again after an UPDATE takes new bytes for its text.
#pragma once

#include <cstddef>
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

  // `size` bytes aligned to `align` (at most alignof(std::max_align_t)), valid until the
  // arena is destroyed.
  void* allocate(std::size_t size, std::size_t align);
  using SnapshotStorage::allocate;  // unaligned bytes, for snapshots' text

 private:
  void* refill(std::size_t size) override { return allocate(size, 1); }

  std::vector<std::byte*> blocks_;                   // whole blocks, returned to the cache
  std::vector<std::unique_ptr<std::byte[]>> large_;  // objects too big to share a block
};

}  // namespace strata::orm::detail
