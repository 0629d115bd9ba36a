#include "graph_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace strata::migrate::detail {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int kFormat = 1;

json to_json(const FileStamp& stamp, const Revision& r) {
  return {{"size", stamp.size},
          {"mtime_ns", stamp.mtime_ns},
          {"revision", r.id},
          {"down_revisions", r.down_revisions},
          {"branch_labels", r.branch_labels},
          {"depends_on", r.depends_on},
          {"message", r.message},
          {"created", r.created},
          {"transactional", r.transactional},
          {"checksum", r.checksum}};
}

Revision revision_of(const json& j, const fs::path& file) {
  Revision r;
  r.id = j.at("revision").get<std::string>();
  r.down_revisions = j.at("down_revisions").get<std::vector<std::string>>();
  r.branch_labels = j.at("branch_labels").get<std::vector<std::string>>();
  r.depends_on = j.at("depends_on").get<std::vector<std::string>>();
  r.message = j.at("message").get<std::string>();
  r.created = j.at("created").get<std::string>();
  r.transactional = j.at("transactional").get<bool>();
  r.checksum = j.at("checksum").get<std::string>();
  r.file = file;
  return r;
}

}  // namespace

std::optional<FileStamp> FileStamp::of(const fs::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return std::nullopt;
  return FileStamp{
      static_cast<std::uintmax_t>(info.st_size),
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

GraphCache::GraphCache(const fs::path& versions) : path_(versions / ".strata-cache.json") {
  std::ifstream in(path_);
  if (!in) return;
  try {
    json all = json::parse(in);
    if (all.at("format").get<int>() != kFormat) return;
    for (const auto& [name, j] : all.at("files").items()) {
      FileStamp stamp{j.at("size").get<std::uintmax_t>(), j.at("mtime_ns").get<std::int64_t>()};
      entries_.emplace(name, Entry{stamp, revision_of(j, versions / name)});
    }
  } catch (const json::exception&) {
    entries_.clear();  // damaged or from another version: parse everything again
  }
}

std::optional<Revision> GraphCache::find(const fs::path& file, const FileStamp& stamp) const {
  auto it = entries_.find(file.filename().string());
  if (it == entries_.end() || !(it->second.stamp == stamp)) return std::nullopt;
  return it->second.revision;
}

void GraphCache::put(const fs::path& file, const FileStamp& stamp, const Revision& revision) {
  entries_.insert_or_assign(file.filename().string(), Entry{stamp, revision});
  changed_ = true;
}

void GraphCache::save(const std::vector<fs::path>& files) {
  if (!changed_ && entries_.size() == files.size()) return;
  json listed = json::object();
  for (const auto& file : files) {
    auto it = entries_.find(file.filename().string());
    if (it != entries_.end()) listed[it->first] = to_json(it->second.stamp, it->second.revision);
  }
  // Written aside and renamed over, so that a reader never sees half a file.
  fs::path temporary = path_;
  temporary += "." + std::to_string(::getpid());
  std::ofstream(temporary) << json{{"format", kFormat}, {"files", listed}}.dump();
  std::error_code ignored;
  fs::rename(temporary, path_, ignored);
  if (ignored) fs::remove(temporary, ignored);
}

}  // namespace strata::migrate::detail
