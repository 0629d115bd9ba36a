#include "backend_spec.hpp"

#include <fmt/format.h>

#include "strata/core/error.hpp"

namespace strata::detail {

const BackendSpec& backend_spec(Backend backend) {
  for (const BackendSpec* spec : backends()) {
    if (spec->backend == backend) return *spec;
  }
  throw UsageError(fmt::format(
      "no backend describes Backend value {}: list its descriptor in src/driver/backends.cpp",
      static_cast<int>(backend)));
}

}  // namespace strata::detail
