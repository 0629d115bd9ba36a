// How a revision file's scalars read as nulls, booleans and key names: the rules yaml-cpp
// applied when it read these files, kept so that a file means what it meant.
#pragma once

#include <optional>
#include <string_view>

namespace strata::migrate::yaml {

struct Node;

// A plain scalar without a tag that is null: ~, null, Null, NULL, or nothing at all.
bool is_null_text(std::string_view text) noexcept;

// yaml-cpp's as<bool>(): y/n, yes/no, true/false, on/off, in lower case, Capitalized or UPPER
// case ("True", "NO"; not "tRUE"); quoted or not. nullopt for any other text.
std::optional<bool> boolean_of(std::string_view text) noexcept;

// yaml-cpp's as<std::string>() of a map key: a scalar's text, "null" for a null; nullopt for a
// list or map, which yaml-cpp could not convert.
std::optional<std::string_view> key_text(const Node& key) noexcept;

}  // namespace strata::migrate::yaml
