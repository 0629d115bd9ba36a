// Reading YAML documents and maps with errors that name the file and line: syntax, keys given
// twice, unknown keys, missing required fields and wrong shapes are all reported the same way.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::migrate::detail {

// Where a revision file is read from, for messages.
struct Source {
  const std::filesystem::path& file;
  [[noreturn]] void fail(const YAML::Node& at, std::string_view message) const;
  [[noreturn]] void fail(const YAML::Mark& at, std::string_view message) const;
};

// Parses `text` as one YAML document and checks what yaml-cpp lets through: a key given twice
// in any map (yaml-cpp keeps the first, PyYAML and yq the last), a quote never closed (yaml-cpp
// reads it to the end of the file, then reports nothing or the end), an alias inside the node it
// names. Throws MigrationError "file:line: ..." naming the line to fix.
YAML::Node load_document(std::string_view text, const Source& source);

class MapReader {
 public:
  // `what` names the map in messages ("create_table", "column"); keys outside `allowed` fail.
  MapReader(const YAML::Node& node, const Source& source, std::string_view what,
            std::initializer_list<std::string_view> allowed)
      : MapReader(node, source, what, std::vector<std::string_view>(allowed)) {}
  MapReader(const YAML::Node& node, const Source& source, std::string_view what,
            const std::vector<std::string_view>& allowed);

  bool has(std::string_view key) const;
  const YAML::Node& node() const noexcept { return node_; }
  YAML::Node required(std::string_view key) const;
  // The line (from 1) of `key`'s value; 0 when absent.
  int line_of(std::string_view key) const;
  std::string string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  bool boolean(std::string_view key, bool fallback) const;
  // A list of strings, or one string standing for a list of one; empty when absent or null.
  std::vector<std::string> strings(std::string_view key) const;
  [[noreturn]] void fail(const YAML::Node& at, std::string_view message) const {
    source_.fail(at, message);
  }
  const Source& source() const noexcept { return source_; }

 private:
  YAML::Node node_;
  const Source& source_;
  std::string what_;
};

}  // namespace strata::migrate::detail
