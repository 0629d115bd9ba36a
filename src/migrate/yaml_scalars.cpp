#include "yaml_scalars.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "yaml_tree.hpp"

namespace strata::migrate::yaml {
namespace {

bool lower(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
bool upper(char c) noexcept {
  return c >= 'A' && c <= 'Z';
}

// "true", "True" and "TRUE", not "tRUE" or "TRue".
bool flexible_case(std::string_view text) noexcept {
  if (text.empty() || std::all_of(text.begin(), text.end(), lower)) return true;
  std::string_view rest = text.substr(1);
  return upper(text[0]) && (std::all_of(rest.begin(), rest.end(), lower) ||
                            std::all_of(rest.begin(), rest.end(), upper));
}

bool equal_ignoring_case(std::string_view text, std::string_view lower_name) noexcept {
  return text.size() == lower_name.size() &&
         std::equal(text.begin(), text.end(), lower_name.begin(), [](char a, char b) {
           return (upper(a) ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

}  // namespace

bool is_null_text(std::string_view text) noexcept {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

std::optional<bool> boolean_of(std::string_view text) noexcept {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kNames = {
      {{"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}}};
  if (!flexible_case(text)) return std::nullopt;
  for (const auto& [yes, no] : kNames) {
    if (equal_ignoring_case(text, yes)) return true;
    if (equal_ignoring_case(text, no)) return false;
  }
  return std::nullopt;
}

std::optional<std::string_view> key_text(const Node& key) noexcept {
  if (key.is_null()) return std::string_view("null");
  if (!key.is_scalar()) return std::nullopt;
  return std::string_view(key.scalar);
}

}  // namespace strata::migrate::yaml
