#include "strata/migrate/script_directory.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nettle/sha2.h>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>
#include <sstream>
#include <thread>

#include "../core/duration.hpp"
#include "../core/read_file.hpp"
#include "graph_cache.hpp"
#include "operation_parser.hpp"
#include "strata/core/error.hpp"
#include "yaml_reader.hpp"

namespace strata::migrate {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string_view> kKeys = {
    "revision",      "down_revision", "branch_labels",     "depends_on", "message",  "created",
    "transactional", "lock_timeout",  "statement_timeout", "upgrade",    "downgrade"};

std::optional<std::chrono::milliseconds> duration(const detail::MapReader& m,
                                                  std::string_view key) {
  auto text = m.optional_string(key);
  if (!text) return std::nullopt;
  if (auto ms = strata::detail::parse_duration(*text)) return ms;
  m.fail(m.required(key),
         fmt::format("'{}' must be {}, not '{}'", key, strata::detail::kDurationForms, *text));
}

std::vector<Operation> operations(const detail::MapReader& m, std::string_view key,
                                  const NamingConvention& convention) {
  std::vector<Operation> out;
  const yaml::Node& list = m.required(key);
  if (list.is_null()) return out;
  if (!list.is_sequence()) m.fail(list, fmt::format("'{}' must be a list of operations", key));
  for (const yaml::Node* item : list.items()) {
    for (auto& op : detail::parse_operation(*item, m.source(), convention))
      out.push_back(std::move(op));
  }
  return out;
}

// <yyyymmdd>_<hhmm>_<revision>_<slug>.yaml: the third part must be the file's revision.
void check_file_name(const fs::path& file, const Revision& r) {
  std::string stem = file.stem().string();
  std::vector<std::string> parts;
  std::stringstream in(stem);
  for (std::string part; std::getline(in, part, '_');) parts.push_back(part);
  if (parts.size() >= 3 && parts[2] == r.id) return;
  throw MigrationError(fmt::format(
      "{}: the file name does not carry its revision {}: name it <yyyymmdd>_<hhmm>_{}_<slug>.yaml",
      r.at(r.id_line), r.id, r.id));
}

std::string read_file(const fs::path& file) {
  auto text = strata::detail::read_file(file);
  if (!text) throw MigrationError(fmt::format("{}: cannot read the file", file.string()));
  return std::move(*text);
}

Revision parse_file(const fs::path& file, const NamingConvention& convention, Contents contents) {
  Revision r = parse_revision(read_file(file), file, convention, contents);
  check_file_name(file, r);
  return r;
}

// Parsing YAML is most of the time a command spends on a long history, and files parse
// independently: they are shared out over the cores. The first error in file order wins, so
// the message does not depend on scheduling.
std::vector<Revision> parse_all(const std::vector<fs::path>& files,
                                const NamingConvention& convention, Contents contents) {
  constexpr std::size_t kFilesPerThread = 64;
  std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8);
  threads = std::min(threads, files.size() / kFilesPerThread + 1);
  std::vector<std::optional<Revision>> parsed(files.size());
  std::vector<std::exception_ptr> errors(files.size());
  auto work = [&](std::size_t first) {
    for (std::size_t i = first; i < files.size(); i += threads) {
      try {
        parsed[i] = parse_file(files[i], convention, contents);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work, t);
    work(0);
  }
  std::vector<Revision> out;
  out.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (errors[i]) std::rethrow_exception(errors[i]);
    out.push_back(std::move(*parsed[i]));
  }
  return out;
}

// A graph load: the links of unchanged files come from the cache, the rest are parsed. The
// revisions go straight into the one vector the graph keeps: on a long history a second array
// of them (a few hundred bytes each) is mostly fresh pages, and page faults are what a cold
// `current` spends beside SQLite's own work. `found` is set to the number of hits.
std::vector<Revision> parse_links(const detail::GraphCache& cache, const fs::path& versions,
                                  const std::vector<detail::ListedFile>& files,
                                  std::size_t& found) {
  std::vector<Revision> out;
  out.reserve(files.size());
  std::vector<std::size_t> misses;
  std::vector<fs::path> missing;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (auto hit = cache.find(files[i], i)) {
      out.push_back(std::move(*hit));
      continue;
    }
    out.emplace_back();
    misses.push_back(i);
    missing.push_back(versions / files[i].name);
  }
  auto parsed = parse_all(missing, {}, Contents::graph);
  for (std::size_t k = 0; k < misses.size(); ++k) out[misses[k]] = std::move(parsed[k]);
  found = files.size() - missing.size();
  return out;
}

}  // namespace

std::string checksum(std::string_view text) {
  // Only a text with a \r needs a copy with its line endings made \n.
  std::string normalized;
  if (text.find('\r') != std::string_view::npos) {
    normalized.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r') {
        normalized += '\n';
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      } else {
        normalized += text[i];
      }
    }
    text = normalized;
  }
  sha256_ctx context{};
  sha256_init(&context);
  sha256_update(&context, text.size(), reinterpret_cast<const uint8_t*>(text.data()));
  std::array<uint8_t, SHA256_DIGEST_SIZE> digest{};
  sha256_digest(&context, digest.size(), digest.data());
  return fmt::format("{:02x}", fmt::join(digest, ""));
}

Revision parse_revision(std::string_view text, const fs::path& file,
                        const NamingConvention& convention, Contents contents) {
  detail::Source source{file};
  // A links-only load parses the whole text too: a key given twice or a quote left open in an
  // operation must fail history and heads as it fails upgrade.
  yaml::Document document = detail::load_document(text, source);
  detail::MapReader m(document.root(), source, "a revision file", kKeys);
  Revision r;
  r.id = m.string("revision");
  m.required("down_revision");
  r.down_revisions = m.strings("down_revision");
  r.branch_labels = m.strings("branch_labels");
  r.depends_on = m.strings("depends_on");
  r.id_line = m.line_of("revision");
  r.down_line = m.line_of("down_revision");
  r.depends_line = m.line_of("depends_on");
  r.message = m.optional_string("message").value_or("");
  r.created = m.optional_string("created").value_or("");
  r.transactional = m.boolean("transactional", true);
  r.file = file;
  r.checksum = checksum(text);
  if (contents == Contents::graph) return r;
  r.lock_timeout = duration(m, "lock_timeout");
  r.statement_timeout = duration(m, "statement_timeout");
  r.upgrade = operations(m, "upgrade", convention);
  r.has_downgrade = m.has("downgrade") && !m.required("downgrade").is_null();
  if (r.has_downgrade) r.downgrade = operations(m, "downgrade", convention);
  return r;
}

ScriptDirectory ScriptDirectory::load(const fs::path& location, const NamingConvention& convention,
                                      Contents contents) {
  fs::path versions = location / "versions";
  std::error_code ec;
  if (!fs::is_directory(versions, ec)) {
    throw MigrationError(fmt::format(
        "{} does not exist: a script directory keeps its revision files there", versions.string()));
  }
  auto listed = detail::list_revision_files(versions);
  if (contents == Contents::graph) {
    // Saved once the graph has passed its checks: CachedLinks answers from the cache alone.
    detail::GraphCache cache(versions);
    std::size_t found = 0;
    RevisionGraph graph(parse_links(cache, versions, listed, found));
    cache.save(listed, graph, found);
    return ScriptDirectory(location, std::move(graph), contents);
  }
  std::vector<fs::path> files;
  files.reserve(listed.size());
  for (const auto& file : listed) files.push_back(versions / file.name);
  auto revisions = parse_all(files, convention, contents);
  return ScriptDirectory(location, RevisionGraph(std::move(revisions)), contents);
}

struct CachedLinks::Cache {
  explicit Cache(fs::path versions) : links(std::move(versions), false) {}
  detail::GraphCache links;
};

std::optional<CachedLinks> CachedLinks::load(const fs::path& script_location) {
  fs::path versions = script_location / "versions";
  auto cache = std::make_shared<const Cache>(versions);
  if (!cache->links.intact()) return std::nullopt;
  std::vector<detail::ListedFile> listed;
  try {
    listed = detail::list_revision_files(versions, cache->links.size());
  } catch (const MigrationError&) {
    return std::nullopt;
  }
  if (!cache->links.fresh(listed)) return std::nullopt;
  return CachedLinks(std::move(cache));
}

const std::vector<std::string>& CachedLinks::heads() const noexcept {
  return cache_->links.heads();
}

bool CachedLinks::has_dependencies() const noexcept {
  return cache_->links.has_dependencies();
}

std::optional<std::vector<std::string>> CachedLinks::branch_labels(std::string_view id) const {
  return cache_->links.branch_labels(id);
}

}  // namespace strata::migrate
