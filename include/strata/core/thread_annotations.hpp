// Clang's thread-safety analysis (-Wthread-safety): which mutex guards which member, and which
// functions take, need or must not hold it, so that an access without the lock is a compile
// error in the project's Clang builds. The macros expand to nothing on other compilers. Only
// types that carry the attributes are checked: strata's locks use detail::Mutex (mutex.hpp),
// since libstdc++'s std::mutex carries none.
#pragma once

#if defined(__clang__)
#define STRATA_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define STRATA_THREAD_ANNOTATION(x)
#endif

// A type that is a lock ("mutex"), and an RAII type that holds one for its lifetime.
#define STRATA_CAPABILITY(name) STRATA_THREAD_ANNOTATION(capability(name))
#define STRATA_SCOPED_CAPABILITY STRATA_THREAD_ANNOTATION(scoped_lockable)

// A member that may be read or written only with the lock held.
#define STRATA_GUARDED_BY(x) STRATA_THREAD_ANNOTATION(guarded_by(x))

// A function called with the lock held, or without it (it takes the lock itself).
#define STRATA_REQUIRES(...) STRATA_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define STRATA_EXCLUDES(...) STRATA_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// A function that takes the lock and returns holding it, or releases it.
#define STRATA_ACQUIRE(...) STRATA_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define STRATA_RELEASE(...) STRATA_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
