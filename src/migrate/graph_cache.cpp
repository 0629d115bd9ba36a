#include "graph_cache.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <memory>
#include <string_view>

#include "../core/read_file.hpp"
#include "../core/write_file.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate::detail {
namespace fs = std::filesystem;

namespace {

// The first line, before the digest of the rest; another one (an older strata's cache) makes
// every file a miss. Version 5: older ones were written before their graph was verified, and
// carry no heads or digest.
constexpr std::string_view kHeader = "strata-cache 5 ";
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

// The digest of the text after the first line. It catches a hand edit or a damaged write, not
// an attack (whoever can write the cache can write the revision files), so the standard
// library's string hash does: a few hundred thousand instructions on 1,000 revisions, where
// SHA-256 would cost more than the rest of the cache's reading. Should another build of the
// library hash differently, the cache is merely written again.
std::string digest(std::string_view body) {
  return fmt::format("{:016x}", std::hash<std::string_view>{}(body));
}

// Whether `written`, a name as the cache holds it, is `name` escaped. A name with no
// backslash is compared as it is: escaping changes it only if it holds one of the characters
// escape() replaces, and then no written name, which holds none of them, is equal to it.
// `scratch` is for the escaped name.
bool written_as(std::string_view written, const std::string& name, std::string& scratch) {
  if (written == name && name.find('\\') == std::string::npos) return true;
  if (!std::any_of(name.begin(), name.end(), needs_escape)) return false;
  scratch.clear();
  escape(scratch, name);
  return written == scratch;
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

// Stats each entry relative to the open folder: a full path would be walked again per file.
std::vector<ListedFile> list_revision_files(const fs::path& versions, std::size_t expected) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(versions.c_str()));
  if (!dir) throw MigrationError(fmt::format("{}: cannot read the folder", versions.string()));
  std::vector<ListedFile> files;
  files.reserve(expected);
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

// Nothing of a cache is used unless its header is this version's and its digest is its
// text's; with `by_name`, unless every line reads, too.
GraphCache::GraphCache(fs::path versions, bool by_name)
    : versions_(std::move(versions)),
      text_(strata::detail::read_file(versions_ / ".strata-cache").value_or("")) {
  std::string_view text = text_;
  if (!text.starts_with(kHeader)) return;
  text.remove_prefix(kHeader.size());
  auto recorded = next_field(text, '\n');
  if (!recorded || *recorded != digest(text)) return;
  auto summary = next_field(text, '\n');
  if (!summary || !read_summary(*summary)) return;
  lines_ = text;
  intact_ = !by_name || read_entries();
  if (!intact_) entries_.clear();
}

// The heads, 1 when some revision depends on another, and the number of entries.
bool GraphCache::read_summary(std::string_view line) {
  auto heads = next_field(line);
  auto list = heads ? unescape_list(*heads) : std::nullopt;
  auto depends = next_field(line);
  auto count = number<std::size_t>(line);
  if (!list || !depends || (*depends != "0" && *depends != "1") || !count) return false;
  heads_ = std::move(*list);
  has_dependencies_ = *depends == "1";
  count_ = *count;
  return true;
}

// The cache is written in the folder's name order, so its entries are found by binary search
// in a vector (sorted again when escaping a name moved it): no hash table of a node per file
// to build and free.
bool GraphCache::read_entries() {
  entries_.reserve(count_);
  std::string_view rest = lines_;
  while (auto line = next_field(rest, '\n')) {
    std::string_view fields = *line;
    auto name = next_field(fields);
    auto size = next_field(fields);
    auto mtime = next_field(fields);
    if (!name || !size || !mtime) return false;
    auto size_value = number<std::uintmax_t>(*size);
    auto mtime_value = number<std::int64_t>(*mtime);
    if (!size_value || !mtime_value) return false;
    entries_.push_back(Entry{*name, {*size_value, *mtime_value}, fields});
  }
  auto by_name = [](const Entry& a, const Entry& b) { return a.name < b.name; };
  if (!std::is_sorted(entries_.begin(), entries_.end(), by_name)) {
    std::sort(entries_.begin(), entries_.end(), by_name);
  }
  auto same = [](const Entry& a, const Entry& b) { return a.name == b.name; };
  return rest.empty() && entries_.size() == count_ &&
         std::adjacent_find(entries_.begin(), entries_.end(), same) == entries_.end();
}

// `file`'s entry; `hint` is where it usually is, its place in the listing.
const GraphCache::Entry* GraphCache::entry(const ListedFile& file, std::size_t hint) const {
  std::string escaped;
  if (hint < entries_.size() && written_as(entries_[hint].name, file.name, escaped)) {
    return &entries_[hint];
  }
  escaped.clear();
  if (std::any_of(file.name.begin(), file.name.end(), needs_escape)) escape(escaped, file.name);
  std::string_view name = escaped.empty() ? std::string_view(file.name) : escaped;
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const Entry& e, std::string_view n) { return e.name < n; });
  return it == entries_.end() || it->name != name ? nullptr : &*it;
}

std::optional<Revision> GraphCache::find(const ListedFile& file, std::size_t hint) const {
  const Entry* e = entry(file, hint);
  if (!e || !(e->stamp == file.stamp)) return std::nullopt;
  auto r = revision_of(e->fields);
  // One string for the whole path: `versions_ / name` copies and re-splits versions_ per file.
  if (r) r->file = versions_.native() + '/' + file.name;
  return r;
}

// Line i is file i's, as save() wrote them in the listing's order: one pass over both, with
// no index to build. Whatever does not match, in name, stamp or count, is a change.
bool GraphCache::fresh(const std::vector<ListedFile>& files) const {
  if (!intact_ || count_ != files.size()) return false;
  std::string_view rest = lines_;
  std::string escaped;
  for (const ListedFile& file : files) {
    auto line = next_field(rest, '\n');
    if (!line) return false;
    std::string_view fields = *line;
    auto name = next_field(fields);
    auto size = next_field(fields);
    auto mtime = next_field(fields);
    if (!name || !size || !mtime) return false;
    if (!written_as(*name, file.name, escaped) ||
        number<std::uintmax_t>(*size) != file.stamp.size ||
        number<std::int64_t>(*mtime) != file.stamp.mtime_ns) {
      return false;
    }
  }
  return rest.empty();
}

// A scan of the lines, not an index: `current` asks about the one or two revisions the
// version table holds.
std::optional<std::vector<std::string>> GraphCache::branch_labels(std::string_view id) const {
  std::string escaped;
  if (std::any_of(id.begin(), id.end(), needs_escape)) escape(escaped, id);
  std::string_view key = escaped.empty() ? id : escaped;
  std::string_view rest = lines_;
  while (auto line = next_field(rest, '\n')) {
    std::string_view fields = *line;
    for (int skip = 0; skip < 3; ++skip) next_field(fields);  // name, size, mtime
    if (!fields.starts_with(key) || fields.substr(key.size(), 1) != "\t") continue;
    next_field(fields);  // the id
    next_field(fields);  // down_revision
    auto labels = next_field(fields);
    return labels ? unescape_list(*labels) : std::nullopt;
  }
  return std::nullopt;
}

void GraphCache::save(const std::vector<ListedFile>& files, const RevisionGraph& graph,
                      std::size_t found) const {
  if (intact_ && found == files.size() && count_ == files.size()) return;
  const auto& revisions = graph.revisions();
  std::string body;
  escape_list(body, graph.heads());
  bool depends = std::any_of(revisions.begin(), revisions.end(),
                             [](const Revision& r) { return !r.depends_on.empty(); });
  body += fmt::format("\t{}\t{}\n", depends ? 1 : 0, files.size());
  for (std::size_t i = 0; i < files.size(); ++i) append_line(body, files[i], revisions[i]);
  std::string text(kHeader);
  text += digest(body);
  text += '\n';
  text += body;
  // A cache: one that could not be written is read from the files next time.
  strata::detail::write_atomically(versions_ / ".strata-cache", text);
}

}  // namespace strata::migrate::detail
