// Revision files: <script_location>/versions/<yyyymmdd>_<hhmm>_<revision>_<slug>.yaml, each
// read into a Revision with its operations. Every error names the file and the line.
#pragma once

#include <filesystem>
#include <string_view>

#include "strata/migrate/graph.hpp"
#include "strata/schema/metadata.hpp"

namespace strata::migrate {

// Parses one revision file's text. `file` is for messages and the file-name check; the
// naming convention names the constraints the operations create. Throws MigrationError
// "file:line: what is wrong".
Revision parse_revision(std::string_view text, const std::filesystem::path& file,
                        const NamingConvention& convention = {});

// SHA-256 of `text` with CRLF and CR line endings read as LF, in lower-case hex.
std::string checksum(std::string_view text);

// All revisions of a script location, verified as a graph. A value type, safe to share
// between threads once loaded.
class ScriptDirectory {
 public:
  // Throws MigrationError naming the file (a missing folder names the folder and says to run
  // `strata init`).
  static ScriptDirectory load(const std::filesystem::path& script_location,
                              const NamingConvention& convention = {});

  const std::filesystem::path& location() const noexcept { return location_; }
  std::filesystem::path versions() const { return location_ / "versions"; }
  const RevisionGraph& graph() const noexcept { return graph_; }

 private:
  ScriptDirectory(std::filesystem::path location, RevisionGraph graph)
      : location_(std::move(location)), graph_(std::move(graph)) {}

  std::filesystem::path location_;
  RevisionGraph graph_;
};

}  // namespace strata::migrate
