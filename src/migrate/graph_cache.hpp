// The links of every revision file (what a Contents::graph load reads), kept beside them in
// versions/.strata-cache.json and trusted for a file while its size and modification time are
// the ones recorded, as Python trusts __pycache__. A long history then answers current, heads
// and history without parsing YAML. A cache that cannot be read or written is ignored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "strata/migrate/revision.hpp"

namespace strata::migrate::detail {

// Size and modification time of a file: when both match, its content is taken as unchanged.
struct FileStamp {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
  static std::optional<FileStamp> of(const std::filesystem::path& file);
};

// One versions/ folder's cache. Not thread-safe; a value used by one load.
class GraphCache {
 public:
  explicit GraphCache(const std::filesystem::path& versions);
  // The revision recorded for `file` when its stamp is still the recorded one.
  std::optional<Revision> find(const std::filesystem::path& file, const FileStamp& stamp) const;
  void put(const std::filesystem::path& file, const FileStamp& stamp, const Revision& revision);
  // Writes the cache when something was put, and drops the entries of files that are gone.
  void save(const std::vector<std::filesystem::path>& files);

 private:
  struct Entry {
    FileStamp stamp;
    Revision revision;
  };
  std::filesystem::path path_;
  std::map<std::string, Entry, std::less<>> entries_;  // by file name
  bool changed_ = false;
};

}  // namespace strata::migrate::detail
