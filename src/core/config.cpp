#include "strata/core/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>

#include "strata/core/error.hpp"

namespace strata {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPoolKeys[] = {"pool_size",    "max_overflow",  "pool_timeout",
                                          "pool_recycle", "pool_pre_ping", "statement_cache_size"};

[[noreturn]] void fail(const fs::path& file, const toml::node& node, std::string_view what) {
  throw ConfigError(fmt::format("{}:{}: {}", file.string(), node.source().begin.line, what));
}

std::string scalar_text(const fs::path& file, std::string_view key, const toml::node& node) {
  if (auto v = node.value<bool>(); v && node.is_boolean()) return *v ? "true" : "false";
  if (node.is_integer()) return fmt::format("{}", *node.value<std::int64_t>());
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  fail(file, node, fmt::format("'{}' must be a number or boolean", key));
}

std::string string_value(const fs::path& file, std::string_view key, const toml::node& node) {
  if (!node.is_string()) fail(file, node, fmt::format("'{}' must be a string", key));
  return *node.value<std::string>();
}

const toml::table& section(const fs::path& file, std::string_view name, const toml::node& node) {
  if (!node.is_table()) fail(file, node, fmt::format("'{}' must be a table ([{}])", name, name));
  return *node.as_table();
}

}  // namespace

Config Config::load(const fs::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  Config config;
  config.file_ = fs::absolute(file).lexically_normal();
  config.base_dir_ = config.file_.parent_path();
  for (const auto& [key, node] : root) {
    if (key == "database") {
      for (const auto& [k, v] : section(file, "database", node)) {
        if (k == "url") {
          config.url_ = string_value(file, "database.url", v);
        } else if (std::find(std::begin(kPoolKeys), std::end(kPoolKeys),
                             std::string_view(k.str())) != std::end(kPoolKeys)) {
          config.pool_settings_.emplace_back(std::string(k.str()), scalar_text(file, k.str(), v));
        } else {
          fail(file, v, fmt::format("unknown key 'database.{}'", k.str()));
        }
      }
    } else if (key == "migrations") {
      for (const auto& [k, v] : section(file, "migrations", node)) {
        if (k == "script_location") {
          config.script_location_ = string_value(file, "migrations.script_location", v);
        } else if (k == "version_table") {
          config.version_table_ = string_value(file, "migrations.version_table", v);
        } else {
          fail(file, v, fmt::format("unknown key 'migrations.{}'", k.str()));
        }
      }
    } else {
      fail(file, node,
           fmt::format("unknown section '{}' (expected database or migrations)", key.str()));
    }
  }
  return config;
}

std::optional<fs::path> Config::find(const fs::path& start) {
  for (fs::path dir = fs::absolute(start); !dir.empty(); dir = dir.parent_path()) {
    fs::path candidate = dir / kFileName;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    if (dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

Config Config::resolve(const std::optional<fs::path>& file) {
  Config config;
  if (file) {
    std::error_code ec;
    if (!fs::is_regular_file(*file, ec)) {
      throw ConfigError(fmt::format("config file {} does not exist", file->string()));
    }
    config = load(*file);
  } else if (auto found = find(fs::current_path())) {
    config = load(*found);
  } else {
    config.base_dir_ = fs::current_path();
  }
  if (const char* env = std::getenv("DATABASE_URL"); env && *env) config.env_url_ = env;
  return config;
}

Url Config::database_url() const {
  const std::string& text = url_override_ ? *url_override_ : env_url_ ? *env_url_ : url_;
  if (text.empty()) {
    throw ConfigError(
        file_.empty()
            ? std::string("no database URL: set DATABASE_URL, pass --url, or run `strata init`")
            : fmt::format("{}: no [database] url; set one, or set DATABASE_URL", file_.string()));
  }
  Url url = Url::parse(text);
  for (const auto& [key, value] : pool_settings_) {
    if (!url.param(key)) url = url.with_param(key, value);
  }
  return url.resolved_against(base_dir_);
}

fs::path Config::script_location() const {
  fs::path location(script_location_);
  return location.is_absolute() ? location : (base_dir_ / location).lexically_normal();
}

}  // namespace strata
