// Revision files: <script_location>/versions/<yyyymmdd>_<hhmm>_<revision>_<slug>.yaml, each
// read into a Revision with its operations. Every error names the file and the line.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// The heads of a script location and the branch labels of its revisions as the links cache
// (versions/.strata-cache) recorded them when a load last verified the graph: what `strata
// current` shows, without reading a revision file or building the graph. Copies share the
// cache's text, which no one changes: safe to read from several threads.
class CachedLinks {
 public:
  // nullopt unless the cache is intact (nothing in it edited or cut short), was written by
  // this version of strata, and lists exactly the revision files there are, each with the
  // size and modification time it has now. Otherwise ScriptDirectory::load is the way, and
  // the next Contents::graph load that passes its checks writes the cache again. Never
  // throws for the folder: what is wrong with it is the load's to report.
  static std::optional<CachedLinks> load(const std::filesystem::path& script_location);

  // RevisionGraph::heads() of the files.
  const std::vector<std::string>& heads() const noexcept;
  // Whether some revision depends_on another: without, a head below other revisions can only
  // be one of them, and RevisionGraph::closure is not needed to tell what is applied.
  bool has_dependencies() const noexcept;
  // The branch labels of revision `id`; nullopt when no revision file defines it.
  std::optional<std::vector<std::string>> branch_labels(std::string_view id) const;

 private:
  struct Cache;  // the cache as read, and its entries into its text
  explicit CachedLinks(std::shared_ptr<const Cache> cache) : cache_(std::move(cache)) {}
  std::shared_ptr<const Cache> cache_;
};

}  // namespace strata::migrate
