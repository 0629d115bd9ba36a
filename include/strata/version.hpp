// strata's version. CMakeLists.txt reads it from here, so this is its only copy.
#pragma once

#define STRATA_VERSION_MAJOR 0
#define STRATA_VERSION_MINOR 1
#define STRATA_VERSION_PATCH 0

#define STRATA_VERSION_STR_(x) #x
#define STRATA_VERSION_STR(x) STRATA_VERSION_STR_(x)
#define STRATA_VERSION_STRING              \
  STRATA_VERSION_STR(STRATA_VERSION_MAJOR) \
  "." STRATA_VERSION_STR(STRATA_VERSION_MINOR) "." STRATA_VERSION_STR(STRATA_VERSION_PATCH)

namespace strata {

inline constexpr const char* version_string = STRATA_VERSION_STRING;

}  // namespace strata
