#include "strata/migrate/offline.hpp"

#include <fmt/format.h>

#include "executor.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate {
namespace {

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

SchemaState start_of(const RevisionGraph& graph, const std::vector<std::string>& start,
                     const Dialect& dialect) {
  try {
    return replay(graph, start, dialect);
  } catch (const MigrationError& e) {
    throw MigrationError(fmt::format("{}{}", e.what(), detail::offline_hint(e.what())));
  }
}

}  // namespace

std::string offline_script(const ScriptDirectory& scripts, const Dialect& dialect, bool upgrade,
                           std::string_view range, const RunnerOptions& options) {
  const auto& graph = scripts.graph();
  auto [start, target] = endpoints(graph, upgrade, range);
  auto plan = upgrade ? graph.plan_upgrade(start, target) : graph.plan_downgrade(start, target);
  VersionTables tables{options.version_table, options.history_table};
  detail::ScriptSink script(dialect, tables);
  script.comment(
      fmt::format("strata {} {} for {}", upgrade ? "upgrade" : "downgrade", range, dialect.name()));
  script.blank();
  if (start.empty()) {
    script.statements(dialect.create_table(tables.version_table(), true));
    script.statements(dialect.create_table(tables.history_table(), true));
    script.blank();
  }
  SchemaState state = start_of(graph, start, dialect);
  detail::ReplayShapes replayed;
  detail::StepExecutor executor(dialect, replayed, script, state);
  for (const auto& step : plan) executor.run(step);
  return script.take();
}

}  // namespace strata::migrate
