// A member guarded by a mutex (core/thread_annotations.hpp) and written without holding it:
// Clang's thread-safety analysis, on in strata's Clang builds, refuses it.
#include <strata/core/mutex.hpp>

class Counter {
 public:
  void bump() {
#ifdef STRATA_FIXED
    strata::detail::MutexLock lock(mutex_);
#endif
    ++count_;
  }

 private:
  strata::detail::Mutex mutex_;
  int count_ STRATA_GUARDED_BY(mutex_) = 0;
};
