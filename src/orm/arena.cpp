#include "arena.hpp"

#include <cstdint>

#include "strata/core/mutex.hpp"

namespace strata::orm::detail {
namespace {

constexpr std::size_t kBlockSize = Arena::kBlockSize;
constexpr std::size_t kCachedBlocks = 64;

struct BlockCache {
  strata::detail::Mutex mutex;
  std::vector<std::byte*> free STRATA_GUARDED_BY(mutex);

  ~BlockCache() {
    for (std::byte* b : free) delete[] b;
  }
  std::byte* take() {
    {
      strata::detail::MutexLock lock(mutex);
      if (!free.empty()) {
        std::byte* b = free.back();
        free.pop_back();
        return b;
      }
    }
    return new std::byte[kBlockSize];
  }
  void give(std::byte* block) noexcept {
    {
      strata::detail::MutexLock lock(mutex);
      if (free.size() < kCachedBlocks) {
        free.push_back(block);
        return;
      }
    }
    delete[] block;
  }
};

BlockCache& cache() {
  static BlockCache blocks;
  return blocks;
}

}  // namespace

Arena::~Arena() {
  for (std::byte* b : blocks_) cache().give(b);
}

void* Arena::allocate_elsewhere(std::size_t size, std::size_t align) {
  if (size > kBlockSize / 8) {
    large_.emplace_back(new std::byte[size]);
    return large_.back().get();
  }
  auto at = (reinterpret_cast<std::uintptr_t>(next_) + align - 1) & ~(align - 1);
  auto* p = reinterpret_cast<std::byte*>(at);
  if (!next_ || p + size > end_) {
    p = cache().take();
    try {
      blocks_.push_back(p);
    } catch (...) {
      cache().give(p);
      throw;
    }
    end_ = p + kBlockSize;
  }
  next_ = p + size;
  return p;
}

}  // namespace strata::orm::detail
