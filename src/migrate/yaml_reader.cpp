#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "strata/core/error.hpp"

namespace strata::migrate::detail {

void Source::fail(const YAML::Node& at, std::string_view message) const {
  int line = at.IsDefined() ? at.Mark().line + 1 : 0;
  if (line > 0) throw MigrationError(fmt::format("{}:{}: {}", file.string(), line, message));
  throw MigrationError(fmt::format("{}: {}", file.string(), message));
}

MapReader::MapReader(const YAML::Node& node, const Source& source, std::string_view what,
                     const std::vector<std::string_view>& allowed)
    : node_(node), source_(source), what_(what) {
  if (!node.IsMap()) source.fail(node, fmt::format("{} must be a map of keys", what));
  for (const auto& entry : node) {
    auto key = entry.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    // `{type: numeric(10,2)}`: in a flow map the comma ends the value.
    if (key.ends_with(")")) {
      source.fail(entry.first, fmt::format("unknown key '{}' in {}: a type with a comma inside "
                                           "{{...}} needs quotes, as in type: \"numeric(10,2)\"",
                                           key, what));
    }
    source.fail(entry.first, fmt::format("unknown key '{}' in {} (expected {})", key, what,
                                         fmt::join(allowed, ", ")));
  }
}

bool MapReader::has(std::string_view key) const {
  return node_[std::string(key)].IsDefined();
}

YAML::Node MapReader::required(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined()) {
    source_.fail(node_, fmt::format("{} is missing the required field '{}'", what_, key));
  }
  return value;
}

int MapReader::line_of(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  return value.IsDefined() ? value.Mark().line + 1 : 0;
}

std::string MapReader::string(std::string_view key) const {
  YAML::Node value = required(key);
  if (!value.IsScalar()) source_.fail(value, fmt::format("'{}' in {} must be text", key, what_));
  return value.Scalar();
}

std::optional<std::string> MapReader::optional_string(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (!value.IsScalar()) source_.fail(value, fmt::format("'{}' in {} must be text", key, what_));
  return value.Scalar();
}

bool MapReader::boolean(std::string_view key, bool fallback) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return fallback;
  bool result = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
    source_.fail(value, fmt::format("'{}' in {} must be true or false", key, what_));
  }
  return result;
}

std::vector<std::string> MapReader::strings(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return {};
  if (value.IsScalar()) return {value.Scalar()};
  if (!value.IsSequence()) {
    source_.fail(value, fmt::format("'{}' in {} must be a list of names", key, what_));
  }
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.IsScalar()) source_.fail(item, fmt::format("'{}' in {} must list names", key, what_));
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace strata::migrate::detail
