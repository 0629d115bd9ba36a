#include "strata/core/error.hpp"

#include <string>
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

// A multi-row INSERT runs to thousands of characters: the message keeps the statement's start
// (cut between characters, not inside one), and the error's statement() keeps all of it.
constexpr std::size_t kStatementShown = 300;

std::string in_statement(std::string_view statement) {
  if (statement.empty()) return "";
  std::string text = one_line(statement);
  if (text.size() <= kStatementShown) return " in statement: " + text;
  std::size_t cut = kStatementShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return " in statement: " + text.substr(0, cut) + "... (" + std::to_string(text.size() - cut) +
         " more characters)";
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
