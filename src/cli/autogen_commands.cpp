// check, lint and verify: whether a database is where the revisions and the models say, which
// revisions risk data or locks, and whether every downgrade undoes its upgrade.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "strata/autogen/lint.hpp"
#include "strata/autogen/verify.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"

namespace strata::cli {
namespace {

using json = nlohmann::json;

// Row counts for the large-rebuild rule, from the configured database when there is one.
std::optional<autogen::LintOptions> lint_options(const Config& config) {
  try {
    auto engine = existing_database(config);
    if (!engine) return std::nullopt;
    autogen::LintOptions options;
    options.row_counts = autogen::row_counts(*engine);
    return options;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

AutogenCommands::AutogenCommands(CLI::App& app, const Options& options) : options_(options) {
  check_ = app.add_subcommand("check",
                              "exit 1 when the database is not at head or differs from the models");
  lint_ = app.add_subcommand("lint", "flag revisions that lose data or lock tables");
  lint_->add_option("RANGE", range_, "FROM:TO (default: every revision)")->check(not_a_url());
  verify_ = app.add_subcommand(
      "verify", "on a scratch database: each revision up, down and up again, schemas compared");
}

std::optional<int> AutogenCommands::run() {
  if (check_->parsed()) return check();
  if (lint_->parsed()) return lint();
  if (verify_->parsed()) return verify();
  return std::nullopt;
}

int AutogenCommands::check() {
  Config config = load_config(options_);
  auto scripts = load_scripts(config);
  auto engine = existing_database(config);
  if (!engine) no_database(options_, config);
  auto result =
      autogen::check(*engine, scripts, options_.models, autogen::CompareOptions::from(config));
  auto lines = result.describe(scripts);
  if (result.clean()) {
    lines.push_back(options_.models ? "The database is at head and matches the models."
                                    : "The database is at head (no models to compare with).");
  }
  print(options_, fmt::format("{}", fmt::join(lines, "\n")),
        json{{"clean", result.clean()},
             {"current", result.current},
             {"pending", result.pending},
             {"differences", result.differences.describe()},
             {"models", options_.models != nullptr}}
            .dump());
  return result.clean() ? 0 : 1;
}

int AutogenCommands::lint() {
  Config config = load_config(options_);
  auto scripts = load_scripts(config, migrate::Contents::everything);
  auto options = lint_options(config);
  auto findings =
      autogen::lint(scripts, range_.empty() ? migrate::Range{} : migrate::Range::parse(range_),
                    options.value_or(autogen::LintOptions{}));
  std::vector<std::string> lines;
  json items = json::array();
  for (const auto& f : findings) {
    lines.push_back(f.describe());
    items.push_back({{"rule", f.rule},
                     {"severity", autogen::to_string(f.severity)},
                     {"revision", f.revision},
                     {"file", f.file.string()},
                     {"operation", f.operation},
                     {"message", f.message}});
  }
  auto errors = std::count_if(findings.begin(), findings.end(),
                              [](const auto& f) { return f.severity == autogen::Severity::error; });
  lines.push_back(fmt::format("{} finding(s), {} error(s)", findings.size(), errors));
  if (!options)
    lines.push_back("(no database to count rows in: sqlite-rebuild-large-table not checked)");
  print(options_, fmt::format("{}", fmt::join(lines, "\n")), items.dump());
  return autogen::has_errors(findings) ? 1 : 0;
}

int AutogenCommands::verify() {
  Config config = load_config(options_);
  auto scripts = load_scripts(config, migrate::Contents::everything);
  Url url = config.migration_url();
  autogen::ScratchDatabase scratch(url);
  autogen::VerifyOptions options;
  options.compare = autogen::CompareOptions::from(config);
  options.runner.version_table = config.version_table();
  auto result = autogen::verify(scripts, scratch.engine(), options_.models, options);
  std::string text = result.ok()
                         ? fmt::format(
                               "Verified {} revision(s) on a scratch {} database: each upgrade, "
                               "downgrade and upgrade again gave the same schema{}.",
                               result.verified.size(), Dialect::of(url.backend()).title(),
                               options_.models ? ", and head matches the models" : "")
                         : result.failure->describe();
  json out{{"ok", result.ok()}, {"verified", result.verified}};
  if (!result.ok()) {
    out["failure"] = {{"revision", result.failure->revision},
                      {"file", result.failure->file.string()},
                      {"stage", result.failure->stage},
                      {"differences", result.failure->differences}};
  }
  print(options_, text, out.dump());
  return result.ok() ? 0 : 1;
}

}  // namespace strata::cli
