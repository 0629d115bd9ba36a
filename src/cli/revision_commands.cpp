// `revision` and `merge`: new revision files, named <yyyymmdd>_<hhmm>_<revision>_<slug>.yaml.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "../core/write_file.hpp"
#include "commands.hpp"
#include "strata/autogen/baseline.hpp"
#include "strata/autogen/compare.hpp"
#include "strata/core/error.hpp"
#include "strata/migrate/revision_writer.hpp"
#include "strata/migrate/runner.hpp"
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

// The comparison of the models with the database, which must be where the new revision
// starts: a comparison from anywhere else would repeat or undo other revisions.
autogen::Comparison compare(const Options& options, const Config& config,
                            const std::vector<std::string>& follows) {
  const MetaData& models = models_or_throw(options, "revision --autogenerate");
  auto existing = existing_database(config);
  if (!existing) {
    // A new project's SQLite file before its first upgrade: a first revision compares the
    // models with an empty database, and leaves none behind.
    if (!follows.empty()) no_database(options, config);
    return autogen::compare(models, create_engine("sqlite://"),
                            autogen::CompareOptions::from(config));
  }
  Engine& engine = *existing;
  auto scripts = load_scripts(config);
  migrate::RunnerOptions names;
  names.version_table = config.version_table();
  auto current = migrate::Runner(engine, scripts, names).current();
  auto expected = follows;
  std::sort(expected.begin(), expected.end());
  if (current != expected) {
    throw MigrationError(fmt::format(
        "the database {} is at {}, not at {}, where the new revision starts: run `upgrade` "
        "first, so that the comparison does not repeat other revisions",
        engine.url().masked(),
        current.empty() ? "base" : fmt::format("{}", fmt::join(current, ", ")),
        expected.empty() ? "base" : fmt::format("{}", fmt::join(expected, ", "))));
  }
  return autogen::compare(models, engine, autogen::CompareOptions::from(config));
}

// Ids and labels are read back by target syntax (label@head, REV+N, FROM:TO) and file names
// (<date>_<time>_<id>_<slug>.yaml): characters those give meaning to are refused up front.
void check_names(const migrate::RevisionGraph& graph, const NewRevision& spec) {
  const auto& id = spec.rev_id;
  bool plain = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
  if (!id.empty() && (!plain || id == "head" || id == "heads" || id == "base")) {
    throw ConfigError(fmt::format(
        "--rev-id '{}': a revision id is lowercase letters and digits, and not head, heads or "
        "base (strata's own ids are 12 hex digits)",
        id));
  }
  for (const auto& label : spec.branch_labels) {
    if (label.empty() || label.find_first_of("@:+- \t") != std::string::npos) {
      throw ConfigError(fmt::format(
          "--branch-label '{}': a label cannot be empty or hold @, :, +, - or spaces", label));
    }
    for (const auto& r : graph.revisions()) {
      if (std::find(r.branch_labels.begin(), r.branch_labels.end(), label) !=
          r.branch_labels.end()) {
        throw ConfigError(
            fmt::format("--branch-label '{}' is taken: a label names one branch, and revision "
                        "{} has it",
                        label, r.describe()));
      }
    }
  }
}

// --depends-on takes what a target takes (a prefix, label@head); the file holds full ids.
std::vector<std::string> resolved(const migrate::RevisionGraph& graph,
                                  const std::vector<std::string>& targets) {
  std::vector<std::string> out;
  for (const auto& t : targets) {
    auto ids = graph.resolve(t, {});
    if (ids.empty()) throw ConfigError(fmt::format("--depends-on {} names no revision", t));
    for (auto& id : ids) out.push_back(std::move(id));
  }
  return out;
}

// A revision following one that is not a head starts a new branch, which is asked for
// explicitly, as in Alembic.
void check_spliced(const migrate::RevisionGraph& graph, const std::vector<std::string>& down) {
  const auto& heads = graph.heads();
  for (const auto& d : down) {
    if (std::find(heads.begin(), heads.end(), d) == heads.end()) {
      throw ConfigError(fmt::format(
          "revision {} is not a head revision; pass --splice to create a new branch from it", d));
    }
  }
}

// A baseline is where a history starts, for a database no revision made: refused over an
// existing history, or a database strata already migrated.
autogen::Baseline read_baseline(const Options& options, const Config& config,
                                const migrate::ScriptDirectory& scripts) {
  if (!scripts.graph().empty()) {
    throw ConfigError(fmt::format(
        "--baseline writes a project's first revision, and {} has revisions already: to mark "
        "the database as being at one of them, use `strata stamp`",
        scripts.versions().string()));
  }
  // A database to adopt exists: a mistyped SQLite path must not become an empty baseline.
  auto existing = existing_database(config);
  if (!existing) no_database(options, config);
  const Engine& engine = *existing;
  auto current = migrate::current_heads(engine, config.version_table());
  if (!current.empty()) {
    throw MigrationError(fmt::format(
        "the database {} is at revision {} already: --baseline adopts a database strata has not "
        "migrated",
        engine.url().masked(), fmt::join(current, ", ")));
  }
  return autogen::baseline(engine, autogen::CompareOptions::from(config),
                           NamingConvention::from(config));
}

void stamp_baseline(const Config& config, const std::string& id) {
  migrate::RunnerOptions names;
  names.version_table = config.version_table();
  auto scripts = load_scripts(config);
  migrate::Runner(create_engine(config.migration_url()), scripts, names).stamp(id);
}

}  // namespace

RevisionCommands::RevisionCommands(CLI::App& app, const Options& options) : options_(options) {
  revision_ = app.add_subcommand("revision", "write a new revision file; prints its path");
  revision_->add_option("-m,--message", spec_.message, "what the revision does")->required();
  revision_
      ->add_option("--head", spec_.head,
                   "the revision it follows (default: head; base for a new root)")
      ->check(not_a_url());
  revision_->add_flag("--splice", spec_.splice, "--head may be a revision that is not a head");
  revision_->add_option("--branch-label", spec_.branch_labels, "a label for a new branch");
  revision_->add_option("--depends-on", spec_.depends_on, "a revision it depends on")
      ->check(not_a_url());
  revision_->add_option("--rev-id", spec_.rev_id, "the id instead of a random one");
  revision_->add_flag("--autogenerate", spec_.autogenerate,
                      "write the operations that take the database to the models");
  revision_->add_flag("--empty", spec_.empty,
                      "with --autogenerate: a file even when nothing differs");
  revision_
      ->add_flag("--baseline", spec_.baseline,
                 "the first revision, read from the live database, which is then stamped with it")
      ->excludes("--autogenerate")
      ->excludes("--head")
      ->excludes("--depends-on");
  merge_ = app.add_subcommand("merge", "write a revision joining heads");
  merge_->add_option("REVISIONS", spec_.down_revisions, "revisions to join, or `heads`")
      ->check(not_a_url())
      ->required();
  merge_->add_option("-m,--message", spec_.message, "what the merge joins")->required();
  merge_->add_option("--rev-id", spec_.rev_id, "the id instead of a random one");
}

std::optional<int> RevisionCommands::run() {
  if (revision_->parsed()) {
    spec_.root = spec_.head == "base";
    return write_revision(options_, spec_);
  }
  if (merge_->parsed()) return merge();
  return std::nullopt;
}

int RevisionCommands::merge() {
  if (spec_.down_revisions == std::vector<std::string>{"heads"}) {
    spec_.down_revisions = load_scripts(load_config(options_)).graph().heads();
  }
  if (spec_.down_revisions.size() < 2) {
    throw ConfigError(
        "merge joins two or more revisions: name them, or `heads` when there are several");
  }
  return write_revision(options_, spec_);
}

int write_revision(const Options& options, const NewRevision& spec) {
  Config config = load_config(options);
  auto scripts = load_scripts(config);
  const auto& graph = scripts.graph();
  std::vector<std::string> down = spec.down_revisions;
  if (spec.autogenerate) models_or_throw(options, "revision --autogenerate");
  // The first revision of a project is a root whatever --head says.
  if (down.empty() && !spec.root && !graph.empty()) down = graph.resolve(spec.head, {});
  for (auto& d : down) d = graph.get(d).id;
  if (spec.down_revisions.empty() && !spec.splice) check_spliced(graph, down);
  check_names(graph, spec);
  std::string id = spec.rev_id.empty() ? new_revision_id() : spec.rev_id;
  if (const auto* taken = graph.find(id)) {
    throw MigrationError(fmt::format("revision {} exists already: {}", id, taken->file.string()));
  }
  migrate::Revision r;
  r.id = id;
  r.down_revisions = down;
  r.branch_labels = spec.branch_labels;
  r.depends_on = resolved(graph, spec.depends_on);
  r.message = spec.message;
  r.has_downgrade = true;
  migrate::RevisionComments comments;
  if (spec.baseline) {
    auto made = read_baseline(options, config, scripts);
    r.upgrade = std::move(made.upgrade);
    r.downgrade = std::move(made.downgrade);
    comments.header.push_back("baseline: read from the database " +
                              config.migration_url().masked());
  }
  if (spec.autogenerate) {
    auto differences = compare(options, config, down);
    if (differences.empty() && !spec.empty) {
      print(options, "No changes detected", R"({"revision": null, "changes": 0})");
      return 0;
    }
    r.upgrade = std::move(differences.upgrade);
    r.downgrade = std::move(differences.downgrade);
    comments = std::move(differences.comments);
    for (const auto& line : differences.unsupported) {
      comments.header.push_back("not written, change it by hand: " + line);
    }
  }
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  r.created = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
  auto file =
      scripts.versions() / fmt::format("{:%Y%m%d_%H%M}_{}_{}.yaml", now, id, slug(spec.message));
  // Rendered before the file is made, so that a revision that cannot be written (a type with
  // no name in revision files) leaves no empty file to break every later command.
  if (!strata::detail::write_atomically(
          file, migrate::write_revision(r, comments, NamingConvention::from(config)))) {
    throw Error(fmt::format("cannot write {}", file.string()));
  }
  if (spec.baseline) stamp_baseline(config, id);
  print(options, file.string(), nlohmann::json{{"revision", id}, {"file", file.string()}}.dump());
  return 0;
}

}  // namespace strata::cli
