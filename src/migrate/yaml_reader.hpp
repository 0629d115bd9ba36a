// Reading YAML documents and maps with errors that name the file and line: syntax, keys given
// twice, unknown keys, missing required fields and wrong shapes are all reported the same way.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yaml_tree.hpp"

namespace strata::migrate::detail {

// Where a revision file is read from, for messages.
struct Source {
  const std::filesystem::path& file;
  [[noreturn]] void fail(const yaml::Node& at, std::string_view message) const;
  // `line` from 0; a negative line names the file alone.
  [[noreturn]] void fail(int line, std::string_view message) const;
};

// Parses `text` as one YAML document and checks what a YAML reader lets through: a key given
// twice in any map (yaml-cpp kept the first, PyYAML and yq the last), a quote never closed, an
// alias inside the node it names. Throws MigrationError "file:line: ..." naming the line to fix.
// libyaml reads the text; a text it refuses is read again by yaml-cpp, whose messages (and
// leniency) revision files have always had.
yaml::Document load_document(std::string_view text, const Source& source);

// Reads one map of a revision file. Borrows the node and the source, which must outlive it;
// immutable once made.
class MapReader {
 public:
  // `what` names the map in messages ("create_table", "column"); keys outside `allowed` fail.
  MapReader(const yaml::Node& node, const Source& source, std::string_view what,
            std::initializer_list<std::string_view> allowed)
      : MapReader(node, source, what, std::vector<std::string_view>(allowed)) {}
  MapReader(const yaml::Node& node, const Source& source, std::string_view what,
            const std::vector<std::string_view>& allowed);

  bool has(std::string_view key) const { return node_.find(key) != nullptr; }
  const yaml::Node& node() const noexcept { return node_; }
  const yaml::Node& required(std::string_view key) const;
  // The line (from 1) of `key`'s value; 0 when absent.
  int line_of(std::string_view key) const;
  std::string string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  bool boolean(std::string_view key, bool fallback) const;
  // A list of strings, or one string standing for a list of one; empty when absent or null.
  std::vector<std::string> strings(std::string_view key) const;
  [[noreturn]] void fail(const yaml::Node& at, std::string_view message) const {
    source_.fail(at, message);
  }
  const Source& source() const noexcept { return source_; }

 private:
  const yaml::Node& node_;
  const Source& source_;
  std::string what_;
};

}  // namespace strata::migrate::detail
