#include "app/settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <strata/core/error.hpp>
#include <string_view>

namespace backend {
namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

int parse_port(const std::string& text) {
  int port = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < 0 || port > 65535) {
    throw strata::ConfigError(fmt::format("PORT must be a number from 0 to 65535, not '{}'", text));
  }
  return port;
}

// A positive number of seconds, decimals allowed ("0.5").
std::chrono::milliseconds parse_seconds(const char* name, const std::string& text) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || !(seconds > 0) || seconds > 86400) {
    throw strata::ConfigError(fmt::format(
        "{} must be a number of seconds above 0 (such as 10 or 0.5), not '{}'", name, text));
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::size_t parse_count(const char* name, const std::string& text) {
  std::size_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count == 0 || count > 1'000'000) {
    throw strata::ConfigError(
        fmt::format("{} must be a whole number from 1 to 1000000, not '{}'", name, text));
  }
  return count;
}

http::Limits http_limits() {
  http::Limits limits;
  if (auto v = env("HTTP_HEADER_TIMEOUT"))
    limits.header_timeout = parse_seconds("HTTP_HEADER_TIMEOUT", *v);
  if (auto v = env("HTTP_BODY_TIMEOUT"))
    limits.body_timeout = parse_seconds("HTTP_BODY_TIMEOUT", *v);
  if (auto v = env("HTTP_IDLE_TIMEOUT"))
    limits.idle_timeout = parse_seconds("HTTP_IDLE_TIMEOUT", *v);
  if (auto v = env("HTTP_MAX_CONNECTIONS"))
    limits.max_connections = parse_count("HTTP_MAX_CONNECTIONS", *v);
  if (auto v = env("HTTP_THREADS")) {
    limits.threads =
        static_cast<unsigned>(std::min<std::size_t>(parse_count("HTTP_THREADS", *v), 1024));
  }
  return limits;
}

// "https://a.example, https://b.example" -> both; blanks dropped.
std::vector<std::string> parse_origins(const std::string& text) {
  std::vector<std::string> origins;
  std::string_view rest = text;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view origin = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!origin.empty() && origin.front() == ' ') origin.remove_prefix(1);
    while (!origin.empty() && origin.back() == ' ') origin.remove_suffix(1);
    if (!origin.empty()) origins.emplace_back(origin);
  }
  return origins;
}

// Python services say WARNING and INFO; spdlog says warn and info. Accept both.
std::string parse_log_level(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (text == "warning") return "warn";
  if (text == "critical") return "error";
  for (std::string_view known : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (text == known) return text;
  }
  throw strata::ConfigError(
      fmt::format("LOG_LEVEL must be one of debug, info, warning, error, not '{}'", text));
}

// Checked before serving, with the two ways to point at them: ScriptDirectory's own error
// speaks of `strata init`, which makes no migrations for this service.
void check_migrations(const strata::Config& config) {
  auto versions = config.script_location() / "versions";
  std::error_code ec;
  if (std::filesystem::is_directory(versions, ec)) return;
  throw strata::ConfigError(fmt::format(
      "no migrations at {}: set MIGRATIONS_DIR to the folder holding versions/, or pass --config "
      "with a strata.toml whose [migrations] script_location names it",
      versions.string()));
}

}  // namespace

void apply_default_database_url(const std::optional<std::filesystem::path>& config_file) {
  if (config_file || env("DATABASE_URL") || strata::Config::find(std::filesystem::current_path())) {
    return;
  }
  ::setenv("DATABASE_URL", "sqlite:///data/app.db", 1);
}

Settings Settings::from_environment(const std::optional<std::filesystem::path>& config_file) {
  apply_default_database_url(config_file);
  Settings s;
  s.config = strata::Config::resolve(config_file);
  s.database_url = s.config.database_url();
  check_migrations(s.config);
  if (s.database_url.backend() == strata::Backend::postgresql &&
      !s.database_url.param("application_name")) {
    // Names the service's connections in pg_stat_activity, for operators.
    s.database_url = s.database_url.with_param("application_name", "backend");
  }
  if (auto host = env("HOST")) s.host = *host;
  if (auto port = env("PORT")) s.port = parse_port(*port);
  if (auto level = env("LOG_LEVEL")) s.log_level = parse_log_level(*level);
  s.http = http_limits();
  if (auto origins = env("CORS_ORIGINS")) s.cors_origins = parse_origins(*origins);
  if (auto swagger = env("SWAGGER_UI_URL")) s.swagger_ui = *swagger;
  return s;
}

}  // namespace backend
