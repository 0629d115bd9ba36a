// The `backend` binary: the HTTP service, and the strata command line for its database.
//
//   backend [serve] [--config strata.toml] [--host 127.0.0.1] [--port 8000] [--migrate]
//   backend db upgrade head        (every `strata` command: current, history, downgrade, ...)
//
// Started from any folder: --config (or MIGRATIONS_DIR and DATABASE_URL) says where the
// project is; without them strata.toml is looked for upward from the working directory.
//
// Exit status: 0 stopped cleanly, 1 failed (database behind head or unreachable, port taken),
// 2 bad configuration or usage.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <filesystem>
#include <optional>
#include <strata/cli/cli.hpp>
#include <strata/core/error.hpp>
#include <strata/core/log.hpp>
#include <string_view>

#include "app/db/base.hpp"
#include "app/db/session.hpp"
#include "app/server.hpp"
#include "app/settings.hpp"

namespace {

struct ServeFlags {
  std::optional<std::string> config;
  std::optional<std::string> host;
  std::optional<int> port;
  bool migrate = false;
};

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("backend");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  strata::set_log_level(level == "info" ? "warn" : level);  // strata's own chatter: debug only
  static_assert(static_cast<int>(strata::LogLevel::error) == spdlog::level::err);
  strata::set_log_sink([logger](strata::LogLevel at, std::string_view message) {
    logger->log(static_cast<spdlog::level::level_enum>(at), "strata: {}", message);
  });
}

// The schema must be at the migrations' head before requests come: code and tables that do
// not match fail in the middle of requests. With --migrate, bring it there first.
bool ensure_schema(const backend::db::Database& database, bool migrate) {
  if (migrate) {
    for (const auto& step : database.upgrade()) spdlog::info("{}", step);
  }
  auto status = database.status();
  auto current = backend::db::SchemaStatus::describe(status.current).value_or("base");
  auto head = backend::db::SchemaStatus::describe(status.heads).value_or("base");
  if (!status.at_head()) {
    spdlog::error(
        "the database is at revision {}, the migrations' head is {}: run `backend db upgrade "
        "head`, or start with `backend serve --migrate`",
        current, head);
    return false;
  }
  spdlog::info("database at revision {} (head)", current);
  return true;
}

std::optional<std::filesystem::path> as_path(const std::optional<std::string>& text) {
  return text ? std::optional<std::filesystem::path>(*text) : std::nullopt;
}

int serve(const ServeFlags& flags) {
  auto settings = backend::Settings::from_environment(as_path(flags.config));
  setup_logging(settings.log_level);
  backend::http::Listen where{flags.host.value_or(settings.host),
                              flags.port.value_or(settings.port)};
  spdlog::info("database {}", settings.database_url.masked());
  backend::db::Database database(settings);
  try {
    if (!ensure_schema(database, flags.migrate)) return 1;
  } catch (const strata::DatabaseError& e) {
    spdlog::error("cannot reach the database: {}", strata::mask_urls_in(e.what()));
    return 1;
  }
  return backend::serve(database, settings, where);
}

// The strata.toml `backend db` names, before or after its command, as the command line reads it.
std::optional<std::string> named_config(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) return argv[i + 1];
    if (arg.starts_with("--config=")) return std::string(arg.substr(arg.find('=') + 1));
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "db") == 0) {
    backend::apply_default_database_url(as_path(named_config(argc, argv)));
    // The models make `backend db revision --autogenerate`, `check` and `verify` work.
    return strata::cli::run(argc - 1, argv + 1, "backend db", &backend::db::metadata());
  }
  CLI::App app{"backend: the reference HTTP service on strata", "backend"};
  ServeFlags flags;
  app.add_option("--config", flags.config,
                 "strata.toml to use (default: found upward from the working directory)");
  app.add_option("--host", flags.host, "address to listen on (default: HOST or 127.0.0.1)");
  app.add_option("--port", flags.port, "port, 0 for any free one (default: PORT or 8000)")
      ->check(CLI::Range(0, 65535));
  app.add_flag("--migrate", flags.migrate, "upgrade the database to head first");
  app.add_subcommand("serve", "serve HTTP (the default)")->fallthrough();
  app.add_subcommand("db",
                     "the strata command line: `backend db upgrade head`, `backend db --help`");
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // One line, masked: the parser quotes what was typed, and a URL typed in the wrong place
    // would show its password.
    std::fprintf(stderr, "backend: %s (see `backend --help`)\n",
                 strata::mask_urls_in(e.what()).c_str());
    return 2;
  }
  try {
    return serve(flags);
  } catch (const strata::ConfigError& e) {
    std::fprintf(stderr, "backend: %s\n", strata::mask_urls_in(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "backend: %s\n", strata::mask_urls_in(e.what()).c_str());
    return 1;
  }
}
