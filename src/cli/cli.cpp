#include "strata/cli/cli.hpp"

#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "strata/core/error.hpp"
#include "strata/core/log.hpp"
#include "strata/migrate/script_directory.hpp"

namespace strata::cli {
namespace fs = std::filesystem;

Config load_config(const Options& options) {
  auto config = Config::resolve(
      options.config_file.empty() ? std::nullopt : std::optional<fs::path>(options.config_file));
  if (!options.url.empty()) config.set_url_override(options.url);
  return config;
}

void print(const Options& options, const std::string& text, const std::string& json) {
  if (options.quiet) return;
  const std::string& out = options.json ? json : text;
  if (!out.empty()) std::printf("%s\n", out.c_str());
}

std::string paint(const Options& options, std::string_view text, Colour what) {
  if (!options.colour) return std::string(text);
  switch (what) {
    case Colour::revision:
      return fmt::format("{}", fmt::styled(text, fmt::fg(fmt::terminal_color::yellow)));
    case Colour::head:
      return fmt::format(
          "{}", fmt::styled(text, fmt::fg(fmt::terminal_color::green) | fmt::emphasis::bold));
    case Colour::warning:
      return fmt::format("{}", fmt::styled(text, fmt::fg(fmt::terminal_color::red)));
  }
  return std::string(text);
}

std::string decorated(const Options& options, const migrate::RevisionGraph& graph,
                      const std::string& id) {
  const auto* r = graph.find(id);
  std::string out = paint(options, id, Colour::revision);
  if (!r) return out + " " + paint(options, "(no file in versions/ defines it)", Colour::warning);
  if (!r->branch_labels.empty()) out += fmt::format(" ({})", fmt::join(r->branch_labels, ", "));
  auto heads = graph.heads();
  if (std::find(heads.begin(), heads.end(), id) != heads.end()) {
    out += " " + paint(options, "(head)", Colour::head);
  }
  return out;
}

namespace {

// Colour for people at a terminal, never for pipes, files or machines (https://no-color.org).
bool wants_colour(int fd, const Options& options) {
  return !options.json && isatty(fd) && std::getenv("NO_COLOR") == nullptr;
}

// What --help says about the database: the URL it would use, masked, or why there is none.
std::string database_line(const Options& options) {
  try {
    return "database: " + load_config(options).database_url().masked();
  } catch (const Error& e) {
    return std::string("database: none (") + e.what() + ")";
  }
}

// The folder is made where the user said, from here; strata.toml names it relative to its own
// folder, which is where it is read from.
int init(const Options& options, const std::string& dir) {
  fs::path config_path =
      options.config_file.empty() ? fs::path(Config::kFileName) : fs::path(options.config_file);
  if (fs::exists(config_path)) {
    throw ConfigError(fmt::format("{} already exists; edit it, or remove it and run init again",
                                  fs::absolute(config_path).string()));
  }
  fs::path config_dir = fs::absolute(config_path).lexically_normal().parent_path();
  fs::path location = fs::path(dir).is_absolute()
                          ? fs::path(dir)
                          : fs::absolute(dir).lexically_normal().lexically_relative(config_dir);
  fs::path versions = fs::path(dir) / "versions";
  fs::create_directories(versions);
  fs::create_directories(config_dir);
  std::ofstream(versions / ".gitignore")
      << "# strata keeps the revisions' links here to answer current, heads and history fast.\n"
      << ".strata-cache*\n";
  std::ofstream out(config_path);
  out << Config::initial_text(options.url.empty() ? "sqlite:///data/app.db" : options.url,
                              location.empty() ? "." : location.generic_string());
  if (!out.flush()) throw Error(fmt::format("cannot write {}", config_path.string()));
  print(options, fmt::format("Wrote {} and {}/", config_path.string(), versions.string()),
        nlohmann::json{{"config", config_path.string()}, {"versions", versions.string()}}.dump());
  return 0;
}

// One line on stderr; the exit status says whether the input or the work failed.
int fail(const Options& options, std::string_view message, int status) {
  Options err = options;
  err.colour = wants_colour(STDERR_FILENO, options);
  std::fprintf(stderr, "%s: %.*s\n", paint(err, options.program, Colour::warning).c_str(),
               static_cast<int>(message.size()), message.data());
  return status;
}

// A usage error in one line, pointing at the help of the command it concerns.
int usage_error(const Options& options, const CLI::App& app, const CLI::ParseError& e) {
  std::string help = options.program + " --help";
  for (const auto* sub : app.get_subcommands()) {
    help = fmt::format("{} {} --help", options.program, sub->get_name());
  }
  std::string message = e.what();
  std::replace(message.begin(), message.end(), '\n', ' ');
  return fail(options, fmt::format("{} (see `{}`)", message, help), 2);
}

}  // namespace

const MetaData& models_or_throw(const Options& options, std::string_view what) {
  if (options.models) return *options.models;
  throw ConfigError(fmt::format(
      "{} compares the database with the application's models, and `{}` has none: run it "
      "through the application's own binary (as in `backend db {}`)",
      what, options.program, what));
}

int run(int argc, const char* const* argv, const std::string& program, const MetaData* models) {
  Options options;
  options.program = program;
  options.models = models;
  std::string init_dir = "migrations";
  CLI::App app{"strata: schema migrations and database tools", program};
  app.add_option("--config", options.config_file, "strata.toml to use (default: found upward)");
  app.add_option("--url", options.url, "database URL; wins over DATABASE_URL and strata.toml");
  app.add_flag("--json", options.json, "machine-readable output");
  app.add_flag("-q,--quiet", options.quiet, "print nothing but errors");
  app.add_flag("-v,--verbose", options.verbose, "log what strata does");
  app.require_subcommand(1);
  auto* init_cmd = app.add_subcommand("init", "write strata.toml and <DIR>/versions/");
  init_cmd->add_option("DIR", init_dir, "migrations folder (default: migrations)");
  NewRevision spec;
  auto* revision_cmd = app.add_subcommand("revision", "write a new revision file; prints its path");
  revision_cmd->add_option("-m,--message", spec.message, "what the revision does")->required();
  revision_cmd->add_option("--head", spec.head,
                           "the revision it follows (default: head; base for a new root)");
  revision_cmd->add_option("--branch-label", spec.branch_labels, "a label for a new branch");
  revision_cmd->add_option("--depends-on", spec.depends_on, "a revision it depends on");
  revision_cmd->add_option("--rev-id", spec.rev_id, "the id instead of a random one");
  revision_cmd->add_flag("--autogenerate", spec.autogenerate,
                         "write the operations that take the database to the models");
  revision_cmd->add_flag("--empty", spec.empty,
                         "with --autogenerate: a file even when nothing differs");
  auto* merge_cmd = app.add_subcommand("merge", "write a revision joining heads");
  merge_cmd->add_option("REVISIONS", spec.down_revisions, "revisions to join, or `heads`")
      ->required();
  merge_cmd->add_option("-m,--message", spec.message, "what the merge joins")->required();
  merge_cmd->add_option("--rev-id", spec.rev_id, "the id instead of a random one");
  MigrationCommands migrations(app, options);
  GraphCommands graph(app, options);
  AutogenCommands autogen(app, options);
  app.footer([&] { return database_line(options); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return usage_error(options, app, e);
  }
  try {
    if (options.verbose) set_log_level("debug");
    options.colour = wants_colour(STDOUT_FILENO, options);
    if (init_cmd->parsed()) return init(options, init_dir);
    if (revision_cmd->parsed()) {
      spec.root = spec.head == "base";
      return write_revision(options, spec);
    }
    if (merge_cmd->parsed()) {
      if (spec.down_revisions == std::vector<std::string>{"heads"}) {
        spec.down_revisions = migrate::ScriptDirectory::load(load_config(options).script_location(),
                                                             {}, migrate::Contents::graph)
                                  .graph()
                                  .heads();
      }
      if (spec.down_revisions.size() < 2) {
        throw ConfigError(
            "merge joins two or more revisions: name them, or `heads` when there are several");
      }
      return write_revision(options, spec);
    }
    if (auto status = graph.run()) return *status;
    if (auto status = autogen.run()) return *status;
    return migrations.run().value_or(2);
  } catch (const ConfigError& e) {
    return fail(options, e.what(), 2);
  } catch (const std::exception& e) {
    return fail(options, e.what(), 1);
  }
}

}  // namespace strata::cli
