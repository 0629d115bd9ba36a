// Revision files written inline in tests: a revision around a few operations (YAML list items,
// indented by two), and the one-line error such a text gives.
#pragma once

#include <fmt/format.h>

#include <strata/core/error.hpp>
#include <strata/migrate/script_directory.hpp>
#include <string>
#include <string_view>

namespace strata::migrate::test {

struct RevisionText {
  std::string_view id = "a1";
  std::string_view down = "null";
  NamingConvention convention = {};
};

inline Revision parse(std::string_view operations, const RevisionText& r = {}) {
  std::string text =
      fmt::format("revision: {}\ndown_revision: {}\nupgrade:\n{}", r.id, r.down, operations);
  return parse_revision(text, "versions/x.yaml", r.convention);
}

// "versions/x.yaml:LINE: ..." for the revision holding `operations`; "no error" when it parses.
inline std::string error_of(std::string_view operations) {
  try {
    parse(operations);
  } catch (const MigrationError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace strata::migrate::test
