// The strata logger, private to src/ so that spdlog stays out of the public headers.
#pragma once

#include <spdlog/spdlog.h>

namespace strata::detail {

spdlog::logger& logger();

}  // namespace strata::detail
