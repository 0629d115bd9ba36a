// heads, branches, show and history: the revision graph from the files alone; no database.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "strata/core/error.hpp"

namespace strata::cli {
namespace {

using json = nlohmann::json;
using migrate::Revision;
using migrate::RevisionGraph;

std::string below(const Revision& r) {
  return r.down_revisions.empty() ? "<base>" : fmt::format("{}", fmt::join(r.down_revisions, ", "));
}

json revision_json(const RevisionGraph& graph, const Revision& r) {
  auto heads = graph.heads();
  return {{"revision", r.id},
          {"down_revisions", r.down_revisions},
          {"branch_labels", r.branch_labels},
          {"depends_on", r.depends_on},
          {"message", r.message},
          {"created", r.created},
          {"transactional", r.transactional},
          {"file", r.file.string()},
          {"checksum", r.checksum},
          {"is_head", std::find(heads.begin(), heads.end(), r.id) != heads.end()}};
}

std::string listed(std::string_view title, const std::vector<std::string>& items) {
  if (items.empty()) return std::string(title);
  return fmt::format("{} {}", title, fmt::join(items, ", "));
}

std::vector<std::string> descriptions(const std::vector<migrate::Operation>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(migrate::describe_operation(op));
  return out;
}

std::vector<std::string> operation_lines(const std::vector<migrate::Operation>& ops) {
  auto out = descriptions(ops);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = fmt::format("  {}. {}", i + 1, out[i]);
  return out;
}

// Graphviz: each revision points at the revisions it follows; dependencies are dashed.
std::string dot(const std::vector<const Revision*>& revisions, const RevisionGraph& graph) {
  std::string out = "digraph strata {\n  rankdir=BT;\n  node [shape=box, fontname=monospace];\n";
  auto heads = graph.heads();
  for (const auto* r : revisions) {
    bool head = std::find(heads.begin(), heads.end(), r->id) != heads.end();
    out += fmt::format("  \"{}\" [label={}{}];\n", r->id, json(r->id + "\n" + r->message).dump(),
                       head ? ", style=bold" : "");
  }
  for (const auto* r : revisions) {
    for (const auto& d : r->down_revisions) out += fmt::format("  \"{}\" -> \"{}\";\n", r->id, d);
    for (const auto& d : r->depends_on) {
      out += fmt::format("  \"{}\" -> \"{}\" [style=dashed];\n", r->id, d);
    }
  }
  return out + "}";
}

}  // namespace

GraphCommands::GraphCommands(CLI::App& app, const Options& options) : options_(options) {
  heads_ = app.add_subcommand("heads", "the heads of the revision graph");
  branches_ = app.add_subcommand("branches", "the revisions where the graph branches");
  show_ = app.add_subcommand("show", "one revision: its links, file and operations");
  show_->add_option("REV", revision_, "a revision, a prefix, head or a label@head")
      ->required()
      ->check(not_a_url());
  history_ = app.add_subcommand("history", "the revisions, newest first");
  history_->add_option("-r,--rev-range", range_, "FROM:TO")->check(not_a_url());
  history_->add_option("--format", format_, "text, json or dot")
      ->check(CLI::IsMember({"text", "json", "dot"}));
}

std::optional<int> GraphCommands::run() {
  if (heads_->parsed()) return heads();
  if (branches_->parsed()) return branches();
  if (show_->parsed()) return show();
  if (history_->parsed()) return history();
  return std::nullopt;
}

int GraphCommands::heads() {
  auto scripts = load_scripts(load_config(options_));
  const auto& graph = scripts.graph();
  std::vector<std::string> lines;
  for (const auto& id : graph.heads()) lines.push_back(decorated(options_, graph, id));
  print(options_, fmt::format("{}", fmt::join(lines, "\n")), json(graph.heads()).dump());
  return 0;
}

int GraphCommands::branches() {
  auto scripts = load_scripts(load_config(options_));
  const auto& graph = scripts.graph();
  std::vector<std::string> lines;
  json items = json::array();
  for (const auto& id : graph.branch_points()) {
    lines.push_back(decorated(options_, graph, id) + " (branchpoint)");
    for (const auto& child : graph.children(id)) {
      lines.push_back(fmt::format("    -> {}, {}", decorated(options_, graph, child),
                                  graph.get(child).message));
    }
    items.push_back({{"revision", id}, {"children", graph.children(id)}});
  }
  print(options_, fmt::format("{}", fmt::join(lines, "\n")), items.dump());
  return 0;
}

int GraphCommands::show() {
  auto scripts = load_scripts(load_config(options_), migrate::Contents::everything);
  const auto& graph = scripts.graph();
  auto named = graph.resolve(revision_, {});
  if (named.size() != 1) {
    throw ConfigError(
        fmt::format("'{}' names {} revisions{}: show takes one", revision_, named.size(),
                    named.empty() ? "" : fmt::format(" ({})", fmt::join(named, ", "))));
  }
  const Revision& r = graph.get(named.front());
  std::vector<std::string> lines{fmt::format("Rev: {}", decorated(options_, graph, r.id)),
                                 fmt::format("Parent: {}", below(r)),
                                 listed("Branch names:", r.branch_labels),
                                 listed("Depends on:", r.depends_on),
                                 fmt::format("Path: {}", r.file.string()),
                                 fmt::format("Created: {}", r.created),
                                 fmt::format("Transactional: {}", r.transactional ? "yes" : "no"),
                                 fmt::format("Checksum: {}", r.checksum),
                                 "",
                                 "    " + r.message,
                                 "",
                                 "Upgrade:"};
  for (auto& line : operation_lines(r.upgrade)) lines.push_back(std::move(line));
  lines.push_back(r.has_downgrade ? "Downgrade:" : "Downgrade: none (it cannot be reverted)");
  for (auto& line : operation_lines(r.downgrade)) lines.push_back(std::move(line));
  json item = revision_json(graph, r);
  item["upgrade"] = descriptions(r.upgrade);
  item["downgrade"] = r.has_downgrade ? json(descriptions(r.downgrade)) : json(nullptr);
  print(options_, fmt::format("{}", fmt::join(lines, "\n")), item.dump());
  return 0;
}

int GraphCommands::history() {
  auto scripts = load_scripts(load_config(options_));
  const auto& graph = scripts.graph();
  auto revisions = graph.history(range_.empty() ? migrate::Range{} : migrate::Range::parse(range_));
  std::vector<std::string> lines;
  json items = json::array();
  for (const auto* r : revisions) {
    lines.push_back(
        fmt::format("{} -> {}, {}", below(*r), decorated(options_, graph, r->id), r->message));
    items.push_back(revision_json(graph, *r));
  }
  if (format_ == "dot") {
    print(options_, dot(revisions, graph), json{{"dot", dot(revisions, graph)}}.dump());
    return 0;
  }
  bool as_json = format_ == "json";
  print(options_, as_json ? items.dump(2) : fmt::format("{}", fmt::join(lines, "\n")),
        items.dump());
  return 0;
}

}  // namespace strata::cli
