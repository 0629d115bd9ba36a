#include "graph_cache.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <memory>

#include "../core/read_file.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate::detail {
namespace fs = std::filesystem;

namespace {

// The first line; another one (an older strata's cache) makes every file a miss. Version 4:
// older ones may hold files with a key given twice or a quote never closed, now refused.
constexpr std::string_view kHeader = "strata-cache 4\n";
constexpr char kItem = '\x1f';  // between the items of a list
constexpr std::size_t kFields = 9;

bool needs_escape(char c) {
  return c == '\\' || c == '\t' || c == '\n' || c == '\r' || c == kItem;
}

void escape(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case kItem:
        out += "\\u";
        break;
      default:
        out += c;
    }
  }
}

void escape_list(std::string& out, const std::vector<std::string>& items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += kItem;
    escape(out, items[i]);
  }
}

// Undoes escape(); nullopt for a sequence escape() does not write.
std::optional<std::string> unescape(std::string_view text) {
  if (text.find('\\') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    auto at = std::string_view("\\tnru").find(text[i]);
    if (at == std::string_view::npos) return std::nullopt;
    out += std::string_view("\\\t\n\r\x1f")[at];
  }
  return out;
}

std::optional<std::vector<std::string>> unescape_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    auto end = std::min(text.find(kItem), text.size());
    auto item = unescape(text.substr(0, end));
    if (!item) return std::nullopt;
    items.push_back(std::move(*item));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return items;
}

// Splits off the text before the next `separator`; nullopt when there is none.
std::optional<std::string_view> next_field(std::string_view& text, char separator = '\t') {
  auto end = text.find(separator);
  if (end == std::string_view::npos) return std::nullopt;
  auto field = text.substr(0, end);
  text.remove_prefix(end + 1);
  return field;
}

template <class Int>
std::optional<Int> number(std::string_view text) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The three line numbers of a revision's keys, items of one field; digits need no escape, so
// they are read in place.
std::optional<std::array<int, 3>> line_numbers(std::string_view text) {
  std::array<int, 3> lines{};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto item = i + 1 < lines.size() ? next_field(text, kItem) : std::optional(text);
    auto value = item ? number<int>(*item) : std::nullopt;
    if (!value) return std::nullopt;
    lines[i] = *value;
  }
  return lines;
}

std::optional<Revision> revision_of(std::string_view fields) {
  std::string_view f[kFields];
  for (std::size_t i = 0; i + 1 < kFields; ++i) {
    auto field = next_field(fields);
    if (!field) return std::nullopt;
    f[i] = *field;
  }
  f[kFields - 1] = fields;
  auto id = unescape(f[0]);
  auto downs = unescape_list(f[1]);
  auto labels = unescape_list(f[2]);
  auto depends = unescape_list(f[3]);
  auto created = unescape(f[6]);
  auto lines = line_numbers(f[7]);
  auto message = unescape(f[8]);
  if (!id || !downs || !labels || !depends || !created || !lines || !message) return std::nullopt;
  if (f[4] != "0" && f[4] != "1") return std::nullopt;
  Revision r;
  r.id = std::move(*id);
  r.down_revisions = std::move(*downs);
  r.branch_labels = std::move(*labels);
  r.depends_on = std::move(*depends);
  r.transactional = f[4] == "1";
  r.checksum = std::string(f[5]);
  r.created = std::move(*created);
  r.message = std::move(*message);
  r.id_line = (*lines)[0];
  r.down_line = (*lines)[1];
  r.depends_line = (*lines)[2];
  return r;
}

void append_line(std::string& out, const ListedFile& file, const Revision& r) {
  escape(out, file.name);
  out += fmt::format("\t{}\t{}\t", file.stamp.size, file.stamp.mtime_ns);
  escape(out, r.id);
  out += '\t';
  escape_list(out, r.down_revisions);
  out += '\t';
  escape_list(out, r.branch_labels);
  out += '\t';
  escape_list(out, r.depends_on);
  out += r.transactional ? "\t1\t" : "\t0\t";
  out += r.checksum;
  out += '\t';
  escape(out, r.created);
  out += '\t';
  escape_list(out, {std::to_string(r.id_line), std::to_string(r.down_line),
                    std::to_string(r.depends_line)});
  out += '\t';
  escape(out, r.message);
  out += '\n';
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

// Stats each entry relative to the open folder: a full path would be walked again per file.
std::vector<ListedFile> list_revision_files(const fs::path& versions) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(versions.c_str()));
  if (!dir) throw MigrationError(fmt::format("{}: cannot read the folder", versions.string()));
  std::vector<ListedFile> files;
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    // A revision saved as .yml would be silently left out of every plan.
    if (name.ends_with(".yml")) {
      throw MigrationError(
          fmt::format("{}: revision files end in .yaml, and this one would be left out; rename it",
                      (versions / name).string()));
    }
    if (name.size() <= 5 || !name.ends_with(".yaml")) continue;
    struct stat info {};
    if (::fstatat(::dirfd(dir.get()), entry->d_name, &info, 0) != 0) continue;
    if (!S_ISREG(info.st_mode)) continue;
    auto mtime =
        static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
    files.push_back({std::string(name), {static_cast<std::uintmax_t>(info.st_size), mtime}});
  }
  std::sort(files.begin(), files.end(),
            [](const ListedFile& a, const ListedFile& b) { return a.name < b.name; });
  return files;
}

// The cache is written in the folder's name order, so its entries are found by binary search
// in a vector (sorted again in case a hand edit moved a line): no hash table of a node per
// file to build and free. A name given twice keeps its first line.
GraphCache::GraphCache(fs::path versions)
    : versions_(std::move(versions)),
      text_(strata::detail::read_file(versions_ / ".strata-cache").value_or("")) {
  if (!std::string_view(text_).starts_with(kHeader)) return;
  std::string_view rest = std::string_view(text_).substr(kHeader.size());
  while (auto line = next_field(rest, '\n')) {
    std::string_view fields = *line;
    auto name = next_field(fields);
    auto size = next_field(fields);
    auto mtime = next_field(fields);
    if (!name || !size || !mtime) continue;
    auto size_value = number<std::uintmax_t>(*size);
    auto mtime_value = number<std::int64_t>(*mtime);
    if (!size_value || !mtime_value) continue;
    entries_.push_back(Entry{*name, {*size_value, *mtime_value}, fields});
  }
  auto by_name = [](const Entry& a, const Entry& b) { return a.name < b.name; };
  if (!std::is_sorted(entries_.begin(), entries_.end(), by_name)) {
    std::stable_sort(entries_.begin(), entries_.end(), by_name);
  }
  auto same = [](const Entry& a, const Entry& b) { return a.name == b.name; };
  entries_.erase(std::unique(entries_.begin(), entries_.end(), same), entries_.end());
}

std::optional<Revision> GraphCache::find(const ListedFile& file) const {
  std::string escaped;
  if (std::any_of(file.name.begin(), file.name.end(), needs_escape)) escape(escaped, file.name);
  std::string_view name = escaped.empty() ? std::string_view(file.name) : escaped;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const Entry& e, std::string_view n) { return e.name < n; });
  if (it == entries_.end() || it->name != name || !(it->stamp == file.stamp)) return std::nullopt;
  auto r = revision_of(it->fields);
  // One string for the whole path: `versions_ / name` copies and re-splits versions_ per file.
  if (r) r->file = versions_.native() + '/' + file.name;
  return r;
}

void GraphCache::save(const std::vector<ListedFile>& files, const std::vector<Revision>& revisions,
                      std::size_t found) const {
  if (found == files.size() && entries_.size() == files.size()) return;
  std::string text(kHeader);
  for (std::size_t i = 0; i < files.size(); ++i) append_line(text, files[i], revisions[i]);
  // Written aside and renamed over, so that a reader never sees half a file.
  fs::path path = versions_ / ".strata-cache";
  fs::path temporary = path;
  temporary += "." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary);
    if (!out) return;
    out << text;
    if (!out.flush()) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return;
    }
  }
  std::error_code failed;
  fs::rename(temporary, path, failed);
  if (failed) fs::remove(temporary, failed);
}

}  // namespace strata::migrate::detail
