#include "strata/core/error.hpp"

#include <utility>

#include "usage_error.hpp"

namespace strata {
namespace {

// Statements span lines; an error is one line, so newlines and runs of blanks fold to one space.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool blank = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
    if (space && blank) continue;
    out += space ? ' ' : c;
    blank = space;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string in_statement(std::string_view statement) {
  return statement.empty() ? "" : " in statement: " + one_line(statement);
}

std::string describe(const std::string& message, const DatabaseErrorInfo& info) {
  std::string line = one_line(message);
  if (!info.code.empty()) line += " [" + info.code + "]";
  line += in_statement(info.statement);
  if (!info.url.empty()) line += " (database " + info.url + ")";
  return line;
}

}  // namespace

DatabaseError::DatabaseError(const std::string& message, DatabaseErrorInfo info)
    : Error(describe(message, info)), message_(one_line(message)), info_(std::move(info)) {}

UsageError detail::usage_error(std::string_view message, std::string_view statement) {
  return UsageError(one_line(message) + in_statement(statement));
}

}  // namespace strata
