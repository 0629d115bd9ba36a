// The built-in backends: the one list a new backend joins (besides its Backend enumerator).
// Core declares backends() (core/backend_spec.hpp) and this file defines it, so that core
// names no backend and includes nothing above itself.
#include <array>

#include "../core/backend_spec.hpp"

namespace strata::detail {

// Each defined in its backend's folder: src/driver/<name>/<name>_backend.cpp.
const BackendSpec& sqlite_backend();
const BackendSpec& postgres_backend();

std::span<const BackendSpec* const> backends() {
  static const std::array<const BackendSpec*, 2> list{&sqlite_backend(), &postgres_backend()};
  return list;
}

}  // namespace strata::detail
