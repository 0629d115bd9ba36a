#include "yaml_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "strata/core/error.hpp"
#include "yaml_cpp_reader.hpp"
#include "yaml_scalars.hpp"

namespace strata::migrate::detail {
namespace {

// Every node once, in document order, so that the first key given twice is the one named. A tree
// libyaml built has no alias, so no loop.
class Walk {
 public:
  explicit Walk(const Source& source) : source_(source) {}
  void visit(const yaml::Node& node);

 private:
  void visit_map(const yaml::Node& map);

  const Source& source_;
  // The keys of the maps being visited, the innermost last: one buffer for the whole walk.
  std::vector<std::pair<std::string_view, int>> keys_;
};

void Walk::visit(const yaml::Node& node) {
  if (node.is_map()) {
    visit_map(node);
  } else if (node.is_sequence()) {
    for (const yaml::Node* item : node.items()) visit(*item);
  }
}

// Maps in revision files have a handful of keys: comparing each with the ones before it costs
// less than a set per map.
void Walk::visit_map(const yaml::Node& map) {
  std::size_t first = keys_.size();
  for (std::size_t entry = 0; entry < map.size(); ++entry) {
    const yaml::Node& key = map.key(entry);
    if (key.is_scalar()) {
      for (std::size_t i = first; i < keys_.size(); ++i) {
        if (keys_[i].first != key.scalar) continue;
        source_.fail(key, fmt::format("key '{}' given twice (first at line {}); keep one",
                                      key.scalar, keys_[i].second));
      }
      keys_.emplace_back(key.scalar, key.line + 1);
    }
    visit(key);
    visit(map.value(entry));
  }
  keys_.resize(first);
}

}  // namespace

void Source::fail(const yaml::Node& at, std::string_view message) const {
  fail(at.line, message);
}

void Source::fail(int line, std::string_view message) const {
  if (line < 0) throw MigrationError(fmt::format("{}: {}", file.string(), message));
  throw MigrationError(fmt::format("{}:{}: {}", file.string(), line + 1, message));
}

yaml::Document load_document(std::string_view text, const Source& source) {
  std::optional<yaml::Document> document = yaml::parse(text);
  // What libyaml refuses, yaml-cpp reads or names as it always did, with every check made.
  if (!document) return load_with_yaml_cpp(text, source);
  Walk(source).visit(document->root());
  return std::move(*document);
}

MapReader::MapReader(const yaml::Node& node, const Source& source, std::string_view what,
                     const std::vector<std::string_view>& allowed)
    : node_(node), source_(source), what_(what) {
  if (!node.is_map()) source.fail(node, fmt::format("{} must be a map of keys", what));
  for (std::size_t entry = 0; entry < node.size(); ++entry) {
    const yaml::Node& key_node = node.key(entry);
    auto key = yaml::key_text(key_node);
    if (!key) source.fail(key_node, fmt::format("a key in {} must be a name", what));
    if (std::find(allowed.begin(), allowed.end(), *key) != allowed.end()) continue;
    // `{type: numeric(10,2)}`: in a flow map the comma ends the value.
    if (key->ends_with(")")) {
      source.fail(key_node, fmt::format("unknown key '{}' in {}: a type with a comma inside "
                                        "{{...}} needs quotes, as in type: \"numeric(10,2)\"",
                                        *key, what));
    }
    source.fail(key_node, fmt::format("unknown key '{}' in {} (expected {})", *key, what,
                                      fmt::join(allowed, ", ")));
  }
}

const yaml::Node& MapReader::required(std::string_view key) const {
  const yaml::Node* value = node_.find(key);
  if (!value) source_.fail(node_, fmt::format("{} is missing the required field '{}'", what_, key));
  return *value;
}

int MapReader::line_of(std::string_view key) const {
  const yaml::Node* value = node_.find(key);
  return value ? value->line + 1 : 0;
}

std::string MapReader::string(std::string_view key) const {
  const yaml::Node& value = required(key);
  if (!value.is_scalar()) source_.fail(value, fmt::format("'{}' in {} must be text", key, what_));
  return value.scalar;
}

std::optional<std::string> MapReader::optional_string(std::string_view key) const {
  const yaml::Node* value = node_.find(key);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_scalar()) source_.fail(*value, fmt::format("'{}' in {} must be text", key, what_));
  return value->scalar;
}

bool MapReader::boolean(std::string_view key, bool fallback) const {
  const yaml::Node* value = node_.find(key);
  if (!value || value->is_null()) return fallback;
  std::optional<bool> result;
  if (value->is_scalar()) result = yaml::boolean_of(value->scalar);
  if (!result) source_.fail(*value, fmt::format("'{}' in {} must be true or false", key, what_));
  return *result;
}

std::vector<std::string> MapReader::strings(std::string_view key) const {
  const yaml::Node* value = node_.find(key);
  if (!value || value->is_null()) return {};
  if (value->is_scalar()) return {value->scalar};
  if (!value->is_sequence()) {
    source_.fail(*value, fmt::format("'{}' in {} must be a list of names", key, what_));
  }
  std::vector<std::string> out;
  out.reserve(value->size());
  for (const yaml::Node* item : value->items()) {
    if (!item->is_scalar())
      source_.fail(*item, fmt::format("'{}' in {} must list names", key, what_));
    out.push_back(item->scalar);
  }
  return out;
}

}  // namespace strata::migrate::detail
