// The links of every revision file (what a Contents::graph load reads), kept beside them in
// versions/.strata-cache and trusted for a file while its size and modification time are the
// ones recorded, as Python trusts __pycache__. A long history then answers current, heads and
// history without parsing YAML. One line per file, tab-separated: reading it must cost less
// than the stat calls that validate it. A cache that cannot be read or written is ignored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/migrate/revision.hpp"

namespace strata::migrate::detail {

// Size and modification time of a file: when both match, its content is taken as unchanged.
struct FileStamp {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// A revision file of versions/, stat-ed once when the folder is listed.
struct ListedFile {
  std::string name;
  FileStamp stamp;
};

// The regular *.yaml files of `versions`, in name order (names start with the date, so this
// is creation order). Throws MigrationError naming the folder when it cannot be read.
std::vector<ListedFile> list_revision_files(const std::filesystem::path& versions);

// One versions/ folder's cache, used by one load. Not thread-safe. Not copyable: its entries
// point into its text.
class GraphCache {
 public:
  explicit GraphCache(std::filesystem::path versions);
  GraphCache(const GraphCache&) = delete;
  GraphCache& operator=(const GraphCache&) = delete;
  // The revision recorded for `file` when its stamp is still the recorded one.
  std::optional<Revision> find(const ListedFile& file) const;
  // Rewrites the cache unless it holds exactly `files` and all `found` of them were hits.
  // `revisions[i]` is the revision of `files[i]`.
  void save(const std::vector<ListedFile>& files, const std::vector<Revision>& revisions,
            std::size_t found) const;

 private:
  struct Entry {
    std::string_view name;  // the file's name as written (escaped), into text_
    FileStamp stamp;
    std::string_view fields;  // the rest of the line, into text_
  };
  std::filesystem::path versions_;
  std::string text_;
  std::vector<Entry> entries_;  // sorted by name, each name once
};

}  // namespace strata::migrate::detail
