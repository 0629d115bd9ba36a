// A transparent hash for unordered containers keyed by std::string: lookups by string_view or
// const char* need no temporary string.
#pragma once

#include <functional>
#include <string_view>

namespace strata::detail {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

}  // namespace strata::detail
