// Result::scalar<std::string_view>() on a temporary: the view would point into a row freed at
// the semicolon. Owning types (std::string, integers) are fine on a temporary.
#include <strata/engine/connection.hpp>
#include <string>
#include <string_view>

std::size_t length(strata::Connection& conn) {
  auto name = conn.execute("SELECT 'x'").scalar<std::string>();
#ifdef STRATA_FIXED
  auto result = conn.execute("SELECT 'x'");
  std::string_view view = result.scalar<std::string_view>();
#else
  std::string_view view = conn.execute("SELECT 'x'").scalar<std::string_view>();
#endif
  return name.size() + view.size();
}
