// Revision files: <script_location>/versions/<yyyymmdd>_<hhmm>_<revision>_<slug>.yaml, each
// read into a Revision with its operations. Every error names the file and the line.
#pragma once

#include <filesystem>
#include <string_view>

#include "strata/migrate/graph.hpp"
#include "strata/schema/metadata.hpp"

namespace strata::migrate {

// How much of each revision file to read. `graph` reads the links (ids, down_revision,
// labels, dependencies, message) and does not build the operations: enough for current,
// heads, branches and history. The whole text is still parsed, so that a YAML error anywhere
// in a file fails every load alike. Its revisions have no operations, and has_downgrade is
// not known.
enum class Contents { everything, graph };

// Parses one revision file's text. `file` is for messages and the file-name check; the
// naming convention names the constraints the operations create. Throws MigrationError
// "file:line: what is wrong".
Revision parse_revision(std::string_view text, const std::filesystem::path& file,
                        const NamingConvention& convention = {},
                        Contents contents = Contents::everything);

// SHA-256 of `text` with CRLF and CR line endings read as LF, in lower-case hex.
std::string checksum(std::string_view text);

// All revisions of a script location, verified as a graph. A value type, safe to share
// between threads once loaded.
class ScriptDirectory {
 public:
  // Throws MigrationError naming the file (a missing folder names the folder and says to run
  // `strata init`).
  static ScriptDirectory load(const std::filesystem::path& script_location,
                              const NamingConvention& convention = {},
                              Contents contents = Contents::everything);

  const std::filesystem::path& location() const noexcept { return location_; }
  std::filesystem::path versions() const { return location_ / "versions"; }
  const RevisionGraph& graph() const noexcept { return graph_; }
  // False for a Contents::graph load: its revisions carry no operations.
  bool has_operations() const noexcept { return contents_ == Contents::everything; }

 private:
  ScriptDirectory(std::filesystem::path location, RevisionGraph graph, Contents contents)
      : location_(std::move(location)), graph_(std::move(graph)), contents_(contents) {}

  std::filesystem::path location_;
  RevisionGraph graph_;
  Contents contents_;
};

}  // namespace strata::migrate
