#include "strata/cli/cli.hpp"

#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "commands.hpp"
#include "strata/core/error.hpp"
#include "strata/core/log.hpp"
#include "strata/core/url.hpp"
#include "strata/migrate/script_directory.hpp"
#include "strata/version.hpp"

namespace strata::cli {
namespace fs = std::filesystem;

Config load_config(const Options& options) {
  auto config = Config::resolve(
      options.config_file.empty() ? std::nullopt : std::optional<fs::path>(options.config_file));
  if (!options.url.empty()) config.set_url_override(options.url);
  return config;
}

migrate::ScriptDirectory load_scripts(const Config& config, migrate::Contents contents) {
  try {
    return migrate::ScriptDirectory::load(config.script_location(), NamingConvention::from(config),
                                          contents);
  } catch (const MigrationError& e) {
    std::error_code ec;
    if (fs::is_directory(config.script_location() / "versions", ec)) throw;
    throw ConfigError(e.what());
  }
}

std::optional<Engine> existing_database(const Config& config) {
  Url url = config.migration_url();
  if (!url.is_file()) return create_engine(url);
  std::error_code ec;
  if (fs::status(url.database(), ec).type() == fs::file_type::not_found) return std::nullopt;
  // Should the file go before the first connection, the driver fails rather than create it.
  return create_engine(url.with_param("mode", "rw"));
}

void no_database(const Options& options, const Config& config) {
  throw Error(fmt::format("no database at {}; check the URL, or run `{} upgrade` to create it",
                          config.migration_url().database(), options.program));
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
  if (!r) return decorated(options, id, std::nullopt, false);
  const auto& heads = graph.heads();
  return decorated(options, id, r->branch_labels,
                   std::find(heads.begin(), heads.end(), id) != heads.end());
}

std::string decorated(const Options& options, const std::string& id,
                      const std::optional<std::vector<std::string>>& labels, bool head) {
  std::string out = paint(options, id, Colour::revision);
  if (!labels)
    return out + " " + paint(options, "(no file in versions/ defines it)", Colour::warning);
  if (!labels->empty()) out += fmt::format(" ({})", fmt::join(*labels, ", "));
  if (head) out += " " + paint(options, "(head)", Colour::head);
  return out;
}

namespace {

// The library runs inside applications too, so its messages name no command; the command line
// adds its own way to do what a message asks, found by the message's wording.
struct Advice {
  std::string_view says;
  std::string_view hint;  // {0} is the program
};
constexpr std::array kAdvice{
    Advice{"no database URL: ", "or pass --url, or run `{0} init`"},
    Advice{"a script directory keeps its revision files there",
           "run `{0} init`, or set script_location in strata.toml"},
    Advice{"there are no revisions yet", "`{0} revision -m MSG` writes one"},
    Advice{"write a merge revision joining them", "`{0} merge heads -m MSG` writes it"},
    Advice{"with the version table purged first", "`{0} stamp --purge REV` does that"},
    Advice{"or run with allow_changed set", "`--allow-changed` sets it"},
    Advice{"no [database] url; set one", "or pass --url"},
    Advice{"an offline downgrade needs", "`downgrade --sql` is the offline one"},
};

}  // namespace

const CLI::Validator& not_a_url() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        if (value.find_first_of("/= \t") == std::string::npos) return {};
        return "this looks like a database URL, not a revision; pass a URL with --url";
      },
      "", "not a URL");
  return validator;
}

namespace {

std::string advised(const Options& options, const std::string& message) {
  for (const auto& advice : kAdvice) {
    if (message.find(advice.says) != std::string::npos) {
      return fmt::format("{}; {}", message,
                         fmt::format(fmt::runtime(advice.hint), options.program));
    }
  }
  return message;
}

// Colour for people at a terminal, never for pipes, files or machines (https://no-color.org).
bool wants_colour(int fd, const Options& options) {
  return !options.json && isatty(fd) && std::getenv("NO_COLOR") == nullptr;
}

// What --help says about the database: the URL the migration commands would use, masked, or
// why there is none.
std::string database_line(const Options& options) {
  try {
    return "database: " + load_config(options).migration_url().masked();
  } catch (const Error& e) {
    return "database: none (" + advised(options, e.what()) + ")";
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
  // Whatever the message quotes of what was typed, a URL in it is masked.
  std::string safe = mask_urls_in(message);
  std::fprintf(stderr, "%s: %s\n", paint(err, options.program, Colour::warning).c_str(),
               safe.c_str());
  return status;
}

// Levenshtein: how many letters to insert, delete or change to turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The commands nearest to a mistyped one: the start of a name, else the fewest edits away, if
// that is few enough to be a typo.
std::vector<std::string> nearest_commands(const CLI::App& app, std::string_view word) {
  std::size_t best = std::max<std::size_t>(2, word.size() / 3);
  std::vector<std::string> out;
  for (const auto* sub : app.get_subcommands({})) {
    const std::string& name = sub->get_name();
    std::size_t distance =
        word.size() >= 2 && name.starts_with(word) ? 0 : edit_distance(word, name);
    if (distance < best) out.clear();
    if (distance <= best) {
      best = distance;
      out.push_back("'" + name + "'");
    }
  }
  return out;
}

// CLI11 calls a word that names no command an argument it did not expect, or says that a
// command is missing; the user meant a command.
std::optional<std::string> unknown_command(const CLI::App& app) {
  if (!app.get_subcommands().empty()) return std::nullopt;
  auto rest = app.remaining();
  if (rest.empty() || rest.front().starts_with('-')) return std::nullopt;
  return rest.front();
}

// A usage error in one line, pointing at the help of the command it concerns.
int usage_error(const Options& options, const CLI::App& app, const CLI::ParseError& e) {
  if (auto word = unknown_command(app)) {
    auto near = nearest_commands(app, *word);
    return fail(
        options,
        near.empty()
            ? fmt::format("unknown command '{}' (see `{} --help`)", *word, options.program)
            : fmt::format("unknown command '{}'; did you mean {}?", *word, fmt::join(near, " or ")),
        2);
  }
  std::string help = options.program + " --help";
  for (const auto* sub : app.get_subcommands()) {
    help = fmt::format("{} {} --help", options.program, sub->get_name());
  }
  std::string message = e.what();
  std::replace(message.begin(), message.end(), '\n', ' ');
  return fail(options, fmt::format("{} (see `{}`)", message, help), 2);
}

std::string version_line() {
  return fmt::format("strata {}", version_string);
}

// Accepted before or after the command: subcommands made after `fallthrough` hand the options
// they do not know to the app.
void add_global_options(CLI::App& app, Options& options) {
  app.add_option("--config", options.config_file, "strata.toml to use (default: found upward)");
  app.add_option("--url", options.url, "database URL; wins over DATABASE_URL and strata.toml");
  app.add_flag("--json", options.json, "machine-readable output");
  app.add_flag("-q,--quiet", options.quiet, "print nothing but errors");
  app.add_flag("-v,--verbose", options.verbose, "log what strata does");
  app.set_version_flag("-V,--version", version_line(), "print the version");
  app.fallthrough();
}

// A command's help lists its own options; these are the app's, taken after the command too.
void mention_global_options(CLI::App& app, const std::string& program) {
  for (auto* sub : app.get_subcommands({})) {
    sub->footer(fmt::format("Also: --config FILE, --url URL, --json, -q, -v, -V (see `{} --help`)",
                            program));
  }
}

int version(const Options& options) {
  print(options, version_line(), nlohmann::json{{"version", version_string}}.dump());
  return 0;
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
  CLI::App app{"strata: schema migrations and database tools", program};
  add_global_options(app, options);
  app.require_subcommand(1);
  std::string init_dir = "migrations";
  auto* init_cmd = app.add_subcommand("init", "write strata.toml and <DIR>/versions/");
  init_cmd->add_option("DIR", init_dir, "migrations folder (default: migrations)");
  auto* version_cmd = app.add_subcommand("version", "print strata's version");
  RevisionCommands revisions(app, options);
  MigrationCommands migrations(app, options);
  GraphCommands graph(app, options);
  AutogenCommands autogen(app, options);
  mention_global_options(app, program);
  app.footer([&] { return database_line(options); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return usage_error(options, app, e);
  }
  try {
    if (options.verbose) set_log_level("debug");
    options.colour = wants_colour(STDOUT_FILENO, options);
    if (init_cmd->parsed()) return init(options, init_dir);
    if (version_cmd->parsed()) return version(options);
    if (auto status = revisions.run()) return *status;
    if (auto status = graph.run()) return *status;
    if (auto status = autogen.run()) return *status;
    return migrations.run().value_or(2);
  } catch (const ConfigError& e) {
    return fail(options, advised(options, e.what()), 2);
  } catch (const std::exception& e) {
    return fail(options, advised(options, e.what()), 1);
  }
}

}  // namespace strata::cli
