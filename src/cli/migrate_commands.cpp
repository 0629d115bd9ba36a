#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/migrate/offline.hpp"
#include "strata/migrate/runner.hpp"

namespace strata::cli {
namespace {

using json = nlohmann::json;

struct Context {
  Config config;
  migrate::ScriptDirectory scripts;
  Engine engine;
};

// `graph`: the revisions' links only, for commands that run no operation.
Context open(const Options& options, migrate::Contents contents = migrate::Contents::everything) {
  Config config = load_config(options);
  auto scripts = load_scripts(config, contents);
  auto engine = create_engine(config.migration_url());
  return {std::move(config), std::move(scripts), std::move(engine)};
}

migrate::RunnerOptions runner_options(const Options& options, const Config& config,
                                      bool allow_changed) {
  auto r = migrate::RunnerOptions::from(config);
  r.allow_changed = allow_changed;
  if (!options.quiet && !options.json) {
    // Flushed line by line: into a pipe or a file stdout is buffered, and the log of a run that
    // is killed must still show how far it got.
    r.progress = [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    };
  }
  return r;
}

std::vector<std::string> ids(const std::vector<migrate::Step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back(s.revision->id);
  return out;
}

// What `f` throws, kept for later.
template <class F>
std::exception_ptr caught(F&& f) {
  try {
    f();
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

// What `current` knows of the revision files: the links cache's answer when the cache is
// fresh (no YAML read, no graph built), else the verified graph.
struct CurrentRevisions {
  std::optional<migrate::CachedLinks> cached;
  std::optional<migrate::ScriptDirectory> scripts;
};

// What `current` prints: a line per revision in the version table, and whether every head is
// applied.
struct CurrentAnswer {
  std::vector<std::string> lines;
  bool at_head = false;
};

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool all_in(const std::vector<std::string>& heads, const std::vector<std::string>& ids) {
  return std::all_of(heads.begin(), heads.end(), [&](auto& h) { return contains(ids, h); });
}

// At head when every head is applied: a head that another branch's revision depends on
// leaves the version table, as in Alembic, yet is applied. The usual answer, every head in
// the version table, needs no walk of the history.
CurrentAnswer from_graph(const Options& options, const migrate::RevisionGraph& graph,
                         const std::vector<std::string>& now) {
  CurrentAnswer answer;
  for (const auto& id : now) answer.lines.push_back(decorated(options, graph, id));
  bool known = std::all_of(now.begin(), now.end(), [&](const auto& id) { return graph.find(id); });
  answer.at_head =
      known && (all_in(graph.heads(), now) || all_in(graph.heads(), graph.closure(now)));
  return answer;
}

// The same answer from the cache; nullopt when it takes the graph's closure: some head is not
// in the version table, and a revision's depends_on might name it.
std::optional<CurrentAnswer> from_cache(const Options& options, const migrate::CachedLinks& links,
                                        const std::vector<std::string>& now) {
  CurrentAnswer answer;
  bool known = true;
  for (const auto& id : now) {
    auto labels = links.branch_labels(id);
    known = known && labels.has_value();
    answer.lines.push_back(decorated(options, id, labels, contains(links.heads(), id)));
  }
  bool every_head = all_in(links.heads(), now);
  if (known && !every_head && links.has_dependencies()) return std::nullopt;
  answer.at_head = known && every_head;
  return answer;
}

}  // namespace

MigrationCommands::MigrationCommands(CLI::App& app, const Options& options) : options_(options) {
  upgrade_ = app.add_subcommand("upgrade", "apply revisions up to TARGET (default: heads)");
  upgrade_->add_option("TARGET", target_, "head, heads, a revision, +N, label@head")
      ->check(not_a_url());
  upgrade_->add_flag("--allow-changed", allow_changed_, "run even if an applied file changed");
  downgrade_ = app.add_subcommand("downgrade", "revert revisions down to TARGET");
  downgrade_->add_option("TARGET", target_, "-1, base, a revision, label@base; FROM:TO with --sql")
      ->required()
      ->check(not_a_url());
  downgrade_->add_flag("--allow-changed", allow_changed_, "run even if an applied file changed");
  for (auto* cmd : {upgrade_, downgrade_}) {
    cmd->add_flag("--sql", sql_, "print the SQL script instead of running it (TARGET or FROM:TO)");
    cmd->add_option("--dialect", dialect_, "with --sql: sqlite or postgresql (default: the URL's)");
  }
  current_ = app.add_subcommand("current", "the revisions the database is at");
  stamp_ = app.add_subcommand("stamp", "set the version table without running migrations");
  stamp_->add_option("TARGET", target_, "a revision, head, heads or base")
      ->required()
      ->check(not_a_url());
  stamp_->add_flag("--purge", purge_,
                   "empty the version table first, even of revisions no file defines");
  schema_ = app.add_subcommand("schema", "the schema at a revision, as DDL, from the files alone");
  schema_->add_option("--at", target_, "a revision, head or heads (default: heads)")
      ->check(not_a_url());
  schema_->add_option("--dialect", dialect_, "sqlite or postgresql (default: the URL's)");
}

std::optional<int> MigrationCommands::run() {
  if (upgrade_->parsed()) return upgrade(true);
  if (downgrade_->parsed()) return upgrade(false);
  if (current_->parsed()) return current();
  if (stamp_->parsed()) return stamp();
  if (schema_->parsed()) return schema();
  return std::nullopt;
}

const Dialect& MigrationCommands::dialect(const Config& config) const {
  return dialect_.empty() ? Dialect::of(config.database_url().backend()) : Dialect::named(dialect_);
}

int MigrationCommands::upgrade(bool up) {
  // A relative step against the command's direction would otherwise be "nothing to do".
  if (target_.starts_with(up ? '-' : '+')) {
    throw ConfigError(fmt::format("{} goes {}, and '{}' steps {}: run `{} {} {}`",
                                  up ? "upgrade" : "downgrade", up ? "up" : "down", target_,
                                  up ? "down" : "up", options_.program,
                                  up ? "downgrade" : "upgrade", target_));
  }
  if (sql_) return offline(up);
  if (!dialect_.empty()) throw ConfigError("--dialect goes with --sql: online, the URL decides");
  if (target_.find(':') != std::string::npos) {
    throw ConfigError(fmt::format(
        "'{}' is a range, which only --sql takes: online, the run starts where the database is",
        target_));
  }
  // The links (cached) say whether anything is to run; only then is every file parsed whole,
  // so that an upgrade with nothing to do, as at each deploy, reads no YAML.
  auto ctx = open(options_, migrate::Contents::graph);
  auto options = runner_options(options_, ctx.config, allow_changed_);
  // The runner reads ctx.scripts by reference: it sees the whole load once there is one.
  migrate::Runner runner(ctx.engine, ctx.scripts, options);
  auto load_whole = [&] { ctx.scripts = load_scripts(ctx.config, migrate::Contents::everything); };
  if (!runner.plan(up, target_).empty()) load_whole();
  std::vector<migrate::Step> steps;
  try {
    steps = up ? runner.upgrade(target_) : runner.downgrade(target_);
  } catch (const MigrationError&) {
    // Another process moved the heads between the plan and the lock: there is work after all.
    if (ctx.scripts.has_operations() || runner.plan(up, target_).empty()) throw;
    load_whole();
    steps = up ? runner.upgrade(target_) : runner.downgrade(target_);
  }
  auto now = runner.current();
  print(options_, steps.empty() ? "Nothing to do: the database is already there." : "",
        json{{up ? "applied" : "reverted", ids(steps)}, {"current", now}}.dump());
  return 0;
}

// Nothing is read from or written to a database.
int MigrationCommands::offline(bool up) {
  Config config = load_config(options_);
  auto scripts = load_scripts(config, migrate::Contents::everything);
  migrate::RunnerOptions names;
  names.version_table = config.version_table();
  std::string script = migrate::offline_script(scripts, dialect(config), up, target_, names);
  if (options_.json) {
    print(options_, "", json{{"sql", script}}.dump());
  } else if (!options_.quiet) {
    std::fputs(script.c_str(), stdout);
  }
  return 0;
}

// The database and the revision files are independent reads. A fresh links cache, the usual
// case, costs less to read than a thread costs to start (its stack and malloc arena fault in
// page by page), so it is read here; only a graph to parse, when the cache is stale, runs on a
// helper while this thread opens the database. A broken file is reported before an unreachable
// database, as the commands that read the files first do; so is it before a missing one.
int MigrationCommands::current() {
  Config config = load_config(options_);
  auto existing = existing_database(config);
  if (!existing) {
    if (!migrate::CachedLinks::load(config.script_location())) load_scripts(config);
    no_database(options_, config);
  }
  Engine& engine = *existing;
  std::exception_ptr unreachable = caught([&] { engine.load_driver(); });
  CurrentRevisions revisions{migrate::CachedLinks::load(config.script_location()), {}};
  std::future<migrate::ScriptDirectory> loading;
  if (!revisions.cached) {
    loading = std::async(std::launch::async, [&config] { return load_scripts(config); });
  }
  std::vector<std::string> now;
  if (!unreachable) {
    unreachable = caught([&] { now = migrate::current_heads(engine, config.version_table()); });
  }
  if (loading.valid()) revisions.scripts = loading.get();
  if (unreachable) std::rethrow_exception(unreachable);
  std::optional<CurrentAnswer> answer;
  if (revisions.cached) answer = from_cache(options_, *revisions.cached, now);
  if (!answer) {
    if (!revisions.scripts) revisions.scripts = load_scripts(config);
    answer = from_graph(options_, revisions.scripts->graph(), now);
  }
  print(options_, fmt::format("{}", fmt::join(answer->lines, "\n")),
        json{{"current", now}, {"at_head", answer->at_head}}.dump());
  return 0;
}

int MigrationCommands::stamp() {
  auto ctx = open(options_, migrate::Contents::graph);
  migrate::Runner runner(ctx.engine, ctx.scripts, runner_options(options_, ctx.config, false));
  runner.stamp(target_, purge_);
  auto now = runner.current();
  print(options_,
        fmt::format("Stamped {}", now.empty() ? "base" : fmt::format("{}", fmt::join(now, ", "))),
        json{{"current", now}}.dump());
  return 0;
}

// Replays the operations up to the revision: no database is read.
int MigrationCommands::schema() {
  Config config = load_config(options_);
  auto scripts = load_scripts(config, migrate::Contents::everything);
  const Dialect& dialect = this->dialect(config);
  const auto& graph = scripts.graph();
  auto state = migrate::replay(graph, graph.resolve(target_, {}), dialect);
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
