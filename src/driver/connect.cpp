// The driver's entry points, passed on to the URL's backend (core/backend_spec.hpp).
#include "../core/backend_spec.hpp"
#include "strata/driver/driver.hpp"

namespace strata::driver {

std::unique_ptr<Connection> connect(const Url& url) {
  return detail::backend_spec(url.backend()).connect(url);
}

void load(const Url& url) {
  if (auto load_library = detail::backend_spec(url.backend()).load) load_library(url);
}

void validate(const Url& url) {
  detail::backend_spec(url.backend()).validate(url);
}

}  // namespace strata::driver
