// `revision` and `merge`: new revision files, named <yyyymmdd>_<hhmm>_<revision>_<slug>.yaml.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "commands.hpp"
#include "strata/core/error.hpp"
#include "strata/migrate/script_directory.hpp"

namespace strata::cli {
namespace {

std::string new_revision_id() {
  std::random_device seed;
  std::mt19937_64 random(seed());
  return fmt::format("{:012x}", random() & 0xffffffffffffull);
}

std::string slug(std::string_view message) {
  std::string out;
  for (char c : message) {
    bool word = std::isalnum(static_cast<unsigned char>(c));
    if (word) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!word && !out.empty() && out.back() != '_') out += '_';
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "revision" : out;
}

std::string yaml_list(const std::vector<std::string>& items) {
  return items.empty() ? "[]" : fmt::format("[{}]", fmt::join(items, ", "));
}

}  // namespace

int write_revision(const Options& options, const NewRevision& spec) {
  Config config = load_config(options);
  auto scripts =
      migrate::ScriptDirectory::load(config.script_location(), {}, migrate::Contents::graph);
  const auto& graph = scripts.graph();
  std::vector<std::string> down = spec.down_revisions;
  if (down.empty() && !spec.root) down = graph.resolve(spec.head, {});
  for (auto& d : down) d = graph.get(d).id;
  std::string id = spec.rev_id.empty() ? new_revision_id() : spec.rev_id;
  if (!graph.empty() && graph.revisions().end() !=
                            std::find_if(graph.revisions().begin(), graph.revisions().end(),
                                         [&](const migrate::Revision& r) { return r.id == id; })) {
    throw MigrationError(fmt::format("revision {} exists already", id));
  }
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto file =
      scripts.versions() / fmt::format("{:%Y%m%d_%H%M}_{}_{}.yaml", now, id, slug(spec.message));
  std::ofstream out(file);
  out << "revision: " << id << "\n"
      << "down_revision: "
      << (down.empty()       ? "null"
          : down.size() == 1 ? down[0]
                             : yaml_list(down))
      << "\n"
      << "branch_labels: " << yaml_list(spec.branch_labels) << "\n"
      << "depends_on: " << yaml_list(spec.depends_on) << "\n"
      << "message: " << nlohmann::json(spec.message).dump() << "\n"
      << "created: " << fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now) << "\n"
      << "transactional: true\n"
      << "upgrade: []\n"
      << "downgrade: []\n";
  if (!out) throw Error(fmt::format("cannot write {}", file.string()));
  print(options, file.string(), nlohmann::json{{"revision", id}, {"file", file.string()}}.dump());
  return 0;
}

}  // namespace strata::cli
