#include "strata/migrate/offline.hpp"

#include <fmt/format.h>

#include "strata/core/error.hpp"
#include "strata/migrate/render.hpp"
#include "version_tables.hpp"

namespace strata::migrate {
namespace {

// Collects statements, each ended by one semicolon.
class Script {
 public:
  // Every line commented: a revision's message may span several.
  void comment(std::string_view text) {
    for (auto end = text.find('\n'); end != std::string_view::npos; end = text.find('\n')) {
      out_ += fmt::format("-- {}\n", text.substr(0, end));
      text.remove_prefix(end + 1);
    }
    out_ += fmt::format("-- {}\n", text);
  }
  // A semicolon after a trailing `--` comment would be commented out with it and join this
  // statement to the next: it goes on a line of its own then.
  void statement(std::string_view sql) {
    while (!sql.empty() &&
           std::string_view(" \t\r\n;").find(sql.back()) != std::string_view::npos) {
      sql.remove_suffix(1);
    }
    auto last_line = sql.substr(sql.rfind('\n') == std::string_view::npos ? 0 : sql.rfind('\n'));
    out_ += sql;
    out_ += last_line.find("--") == std::string_view::npos ? ";\n" : "\n;\n";
  }
  void statements(const std::vector<std::string>& sql) {
    for (const auto& s : sql) statement(s);
  }
  void blank() { out_ += "\n"; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// An offline script starts from the history alone: an object made by hand, by `execute` or
// before strata is not in it.
constexpr std::string_view kOnlyTheDatabaseKnows =
    "; an offline script knows only what the history creates: if the database has this object "
    "(made by hand, by execute, or before strata), run online, or adopt the database with "
    "`strata revision --baseline`";

// The heads a script starts from and the target it goes to.
std::pair<std::vector<std::string>, std::string> endpoints(const RevisionGraph& graph, bool upgrade,
                                                           std::string_view range) {
  if (range.find(':') == std::string_view::npos) {
    if (!upgrade) {
      throw ConfigError(fmt::format(
          "an offline downgrade needs FROM:TO (there is no database to start from), e.g. heads:{}",
          range));
    }
    return {{}, std::string(range.empty() ? "heads" : range)};
  }
  Range r = Range::parse(range);
  if (r.to.empty()) r.to = upgrade ? "heads" : "base";
  if (r.from.empty() && !upgrade) {
    throw ConfigError(
        fmt::format("an offline downgrade needs the revision to start from: {}", range));
  }
  return {r.from.empty() ? std::vector<std::string>{} : graph.resolve(r.from, {}), r.to};
}

void write_step(Script& script, const Step& step, const Dialect& dialect, SchemaState& state,
                const VersionTables& tables) {
  const Revision& r = *step.revision;
  const char* direction = step.upgrade ? "upgrade" : "downgrade";
  if (!step.upgrade && !r.has_downgrade) {
    throw MigrationError(fmt::format(
        "revision {} has no `downgrade:` section, so it cannot be reverted", r.describe()));
  }
  std::vector<RenderedOperation> rendered;
  try {
    rendered = render_all(step.upgrade ? r.upgrade : r.downgrade, dialect, state);
  } catch (const MigrationError& e) {
    throw MigrationError(
        fmt::format("{}: {} {}{}", r.file.string(), direction, e.what(), kOnlyTheDatabaseKnows));
  }
  bool rebuild = std::any_of(rendered.begin(), rendered.end(),
                             [](const auto& op) { return !op.rebuilt_table.empty(); });
  script.comment(describe(step));
  if (rebuild) script.statement(dialect.foreign_keys_sql(false));
  if (r.transactional) script.statement("BEGIN");
  for (const auto& op : rendered) script.statements(op.statements);
  if (rebuild) {
    script.comment("a row printed here breaks a foreign key: roll this revision back");
    script.statement(dialect.foreign_key_check_sql());
  }
  if (!r.transactional) script.statement("BEGIN");
  script.statements(tables.record_sql(dialect, step, std::nullopt));
  script.statement("COMMIT");
  if (rebuild) script.statement(dialect.foreign_keys_sql(true));
  script.blank();
}

SchemaState start_of(const RevisionGraph& graph, const std::vector<std::string>& start,
                     const Dialect& dialect) {
  try {
    return replay(graph, start, dialect);
  } catch (const MigrationError& e) {
    throw MigrationError(fmt::format("{}{}", e.what(), kOnlyTheDatabaseKnows));
  }
}

}  // namespace

std::string offline_script(const ScriptDirectory& scripts, const Dialect& dialect, bool upgrade,
                           std::string_view range, const RunnerOptions& options) {
  const auto& graph = scripts.graph();
  auto [start, target] = endpoints(graph, upgrade, range);
  auto plan = upgrade ? graph.plan_upgrade(start, target) : graph.plan_downgrade(start, target);
  VersionTables tables{options.version_table, options.history_table};
  Script script;
  script.comment(
      fmt::format("strata {} {} for {}", upgrade ? "upgrade" : "downgrade", range, dialect.name()));
  script.blank();
  if (start.empty()) {
    script.statements(dialect.create_table(tables.version_table(), true));
    script.statements(dialect.create_table(tables.history_table(), true));
    script.blank();
  }
  SchemaState state = start_of(graph, start, dialect);
  for (const auto& step : plan) write_step(script, step, dialect, state, tables);
  return script.take();
}

}  // namespace strata::migrate
