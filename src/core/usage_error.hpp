// The library's way to report a misuse that concerns one statement (a wrong parameter count, a
// read of a column the result lacks): a UsageError whose one line names the statement as a
// DatabaseError's does, although nothing reached the database.
#pragma once

#include <string_view>

#include "strata/core/error.hpp"

namespace strata::detail {

// "<message> in statement: <statement folded to one line>"; the message alone without one.
UsageError usage_error(std::string_view message, std::string_view statement);

}  // namespace strata::detail
