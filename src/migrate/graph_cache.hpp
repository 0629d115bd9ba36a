// The links of every revision file (what a Contents::graph load reads), kept beside them in
// versions/.strata-cache and trusted for a file while its size and modification time are the
// ones recorded, as Python trusts __pycache__. A long history then answers current, heads and
// history without parsing YAML. One line per file, tab-separated: reading it must cost less
// than the stat calls that validate it. A cache that cannot be read or written is ignored.
//
// The cache is written only for a graph that passed its checks, with the graph's heads and
// whether any revision depends on another, under a digest of the whole text: while every
// file is the one recorded, `current` takes its answer from the cache alone (CachedLinks),
// and a cache edited or damaged in any byte is ignored as a whole and written again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/migrate/graph.hpp"
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
// is creation order). `expected`: how many there are likely to be. Throws MigrationError
// naming the folder when it cannot be read.
std::vector<ListedFile> list_revision_files(const std::filesystem::path& versions,
                                            std::size_t expected = 0);

// One versions/ folder's cache, read once. Its const members only read, so one loaded cache
// may be shared between threads. Not copyable: its entries point into its text.
class GraphCache {
 public:
  // `by_name`: index the entries for find(). fresh(), heads() and branch_labels() read the
  // lines in their order and need no index.
  explicit GraphCache(std::filesystem::path versions, bool by_name = true);
  GraphCache(const GraphCache&) = delete;
  GraphCache& operator=(const GraphCache&) = delete;
  // The revision recorded for `file` when its stamp is still the recorded one. `hint`: the
  // file's place in the listing, where its entry usually is.
  std::optional<Revision> find(const ListedFile& file, std::size_t hint) const;
  // True when the cache is intact and lists exactly `files`, each with its stamp: then the
  // graph it recorded is the graph of the folder, and heads() and branch_labels() answer.
  bool fresh(const std::vector<ListedFile>& files) const;
  // Whether the cache is this version's, undamaged, and (with by_name) every line reads.
  bool intact() const noexcept { return intact_; }
  // How many files an intact cache lists.
  std::size_t size() const noexcept { return count_; }
  // The verified graph's heads, in the order RevisionGraph::heads() gave them.
  const std::vector<std::string>& heads() const noexcept { return heads_; }
  // Whether some revision has a depends_on: only then can a head lie below other revisions.
  bool has_dependencies() const noexcept { return has_dependencies_; }
  // The branch labels of revision `id`; nullopt when no entry is that revision.
  std::optional<std::vector<std::string>> branch_labels(std::string_view id) const;
  // Rewrites the cache for `graph`, verified, loaded from `files` (`graph.revisions()[i]` is
  // the revision of `files[i]`), unless the cache is intact and holds exactly `files`, all
  // `found` of them hits.
  void save(const std::vector<ListedFile>& files, const RevisionGraph& graph,
            std::size_t found) const;

 private:
  struct Entry {
    std::string_view name;  // the file's name as written (escaped), into text_
    FileStamp stamp;
    std::string_view fields;  // the rest of the line, into text_
  };
  bool read_summary(std::string_view line);
  bool read_entries();
  const Entry* entry(const ListedFile& file, std::size_t hint) const;

  std::filesystem::path versions_;
  std::string text_;
  bool intact_ = false;  // the header, digest and summary are this version's
  std::vector<std::string> heads_;
  bool has_dependencies_ = false;
  std::size_t count_ = 0;       // entries, as the summary says
  std::string_view lines_;      // the entries' lines, into text_
  std::vector<Entry> entries_;  // with by_name: sorted by name, each name once
};

}  // namespace strata::migrate::detail
