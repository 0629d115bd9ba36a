#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/migrate/runner.hpp"

namespace strata::cli {
namespace {

using json = nlohmann::json;

struct Context {
  Config config;
  migrate::ScriptDirectory scripts;
  Engine engine;
};

Context open(const Options& options) {
  Config config = load_config(options);
  auto scripts =
      migrate::ScriptDirectory::load(config.script_location(), NamingConvention::from(config));
  auto engine = create_engine(config);
  return {std::move(config), std::move(scripts), std::move(engine)};
}

migrate::RunnerOptions runner_options(const Options& options, const Config& config,
                                      bool allow_changed) {
  migrate::RunnerOptions r;
  r.version_table = config.version_table();
  r.allow_changed = allow_changed;
  if (!options.quiet && !options.json) {
    r.progress = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  }
  return r;
}

// "ae1027a6acf (head)" as Alembic prints revisions.
std::string decorated(const migrate::RevisionGraph& graph, const std::string& id) {
  const auto& r = graph.get(id);
  std::string out = id;
  if (!r.branch_labels.empty()) out += fmt::format(" ({})", fmt::join(r.branch_labels, ", "));
  auto heads = graph.heads();
  if (std::find(heads.begin(), heads.end(), id) != heads.end()) out += " (head)";
  return out;
}

std::vector<std::string> ids(const std::vector<migrate::Step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.revision->id);
  return out;
}

}  // namespace

MigrationCommands::MigrationCommands(CLI::App& app, const Options& options) : options_(options) {
  upgrade_ = app.add_subcommand("upgrade", "apply revisions up to TARGET (default: heads)");
  upgrade_->add_option("TARGET", target_, "head, heads, a revision, +N, label@head");
  upgrade_->add_flag("--allow-changed", allow_changed_, "run even if an applied file changed");
  downgrade_ = app.add_subcommand("downgrade", "revert revisions down to TARGET");
  downgrade_->add_option("TARGET", target_, "-1, base, a revision, label@base")->required();
  downgrade_->add_flag("--allow-changed", allow_changed_, "run even if an applied file changed");
  current_ = app.add_subcommand("current", "the revisions the database is at");
  heads_ = app.add_subcommand("heads", "the heads of the revision graph");
  history_ = app.add_subcommand("history", "the revisions, newest first");
  history_->add_option("-r,--rev-range", range_, "FROM:TO");
  stamp_ = app.add_subcommand("stamp", "set the version table without running migrations");
  stamp_->add_option("TARGET", target_, "a revision, head, heads or base")->required();
  schema_ = app.add_subcommand("schema", "the schema at a revision, as DDL, from the files alone");
  schema_->add_option("--at", target_, "a revision, head or heads (default: heads)");
  schema_->add_option("--dialect", dialect_, "sqlite or postgresql (default: the URL's)");
}

std::optional<int> MigrationCommands::run() {
  if (upgrade_->parsed()) return upgrade(true);
  if (downgrade_->parsed()) return upgrade(false);
  if (current_->parsed()) return current();
  if (heads_->parsed()) return heads();
  if (history_->parsed()) return history();
  if (stamp_->parsed()) return stamp();
  if (schema_->parsed()) return schema();
  return std::nullopt;
}

int MigrationCommands::upgrade(bool up) {
  auto ctx = open(options_);
  migrate::Runner runner(ctx.engine, ctx.scripts,
                         runner_options(options_, ctx.config, allow_changed_));
  auto steps = up ? runner.upgrade(target_) : runner.downgrade(target_);
  auto now = runner.current();
  print(options_, steps.empty() ? "Nothing to do: the database is already there." : "",
        json{{up ? "applied" : "reverted", ids(steps)}, {"current", now}}.dump());
  return 0;
}

int MigrationCommands::current() {
  auto ctx = open(options_);
  auto now = migrate::Runner(ctx.engine, ctx.scripts).current();
  std::vector<std::string> lines;
  for (const auto& id : now) lines.push_back(decorated(ctx.scripts.graph(), id));
  auto heads = ctx.scripts.graph().heads();
  std::sort(heads.begin(), heads.end());
  print(options_, fmt::format("{}", fmt::join(lines, "\n")),
        json{{"current", now}, {"at_head", now == heads}}.dump());
  return 0;
}

int MigrationCommands::heads() {
  auto ctx = open(options_);
  std::vector<std::string> lines;
  for (const auto& id : ctx.scripts.graph().heads())
    lines.push_back(decorated(ctx.scripts.graph(), id));
  print(options_, fmt::format("{}", fmt::join(lines, "\n")),
        json(ctx.scripts.graph().heads()).dump());
  return 0;
}

int MigrationCommands::history() {
  auto scripts = migrate::ScriptDirectory::load(load_config(options_).script_location());
  const auto& graph = scripts.graph();
  auto revisions = graph.history(range_.empty() ? migrate::Range{} : migrate::Range::parse(range_));
  std::vector<std::string> lines;
  json items = json::array();
  for (const auto* r : revisions) {
    std::string below = r->down_revisions.empty()
                            ? "<base>"
                            : fmt::format("{}", fmt::join(r->down_revisions, ", "));
    lines.push_back(fmt::format("{} -> {}, {}", below, decorated(graph, r->id), r->message));
    items.push_back({{"revision", r->id},
                     {"down_revisions", r->down_revisions},
                     {"message", r->message},
                     {"file", r->file.string()}});
  }
  print(options_, fmt::format("{}", fmt::join(lines, "\n")), items.dump());
  return 0;
}

int MigrationCommands::stamp() {
  auto ctx = open(options_);
  migrate::Runner runner(ctx.engine, ctx.scripts, runner_options(options_, ctx.config, false));
  runner.stamp(target_);
  auto now = runner.current();
  print(options_,
        fmt::format("Stamped {}", now.empty() ? "base" : fmt::format("{}", fmt::join(now, ", "))),
        json{{"current", now}}.dump());
  return 0;
}

// Replays the operations up to the revision: no database is read.
int MigrationCommands::schema() {
  Config config = load_config(options_);
  auto scripts =
      migrate::ScriptDirectory::load(config.script_location(), NamingConvention::from(config));
  const Dialect& dialect =
      dialect_.empty() ? Dialect::of(config.database_url().backend()) : Dialect::named(dialect_);
  const auto& graph = scripts.graph();
  migrate::SchemaState state;
  for (const auto* r : graph.applied_in_order(graph.resolve(target_, {}))) {
    for (const auto& op : r->upgrade) state.apply(op);
  }
  MetaData metadata;
  for (const auto& [name, table] : state.tables()) metadata.add(table);
  std::string ddl;
  json tables = json::object();
  for (const Table* t : metadata.sorted_tables()) {
    auto statements = dialect.create_table(*t);
    for (const auto& sql : statements) ddl += sql + ";\n";
    tables[t->name] = statements;
  }
  print(options_, ddl.empty() ? "" : ddl.substr(0, ddl.size() - 1), tables.dump());
  return 0;
}

}  // namespace strata::cli
