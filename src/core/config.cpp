#include "strata/core/config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "duration.hpp"
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

// DATABASE_REPLICA_MAX_LAG or [database] replica_max_lag: 0 means "nothing pending", not "no
// limit" as for the migration timeouts, so the forms are spelled out here.
std::chrono::milliseconds max_lag_value(std::string_view where, std::string_view text) {
  if (auto ms = detail::parse_duration(text)) return *ms;
  throw ConfigError(fmt::format(
      "{} must be a duration such as 10s, 500ms or 1min (how far a replica may trail), not '{}'",
      where, text));
}

// "a, b,,c" -> a, b, c: blanks around and between commas dropped.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

Url with_pool_settings(Url url, const std::vector<std::pair<std::string, std::string>>& settings) {
  for (const auto& [key, value] : settings) {
    if (!url.param(key)) url = url.with_param(key, value);
  }
  return url;
}

// A time: a string ("5s", "500ms") or a number of seconds.
std::chrono::milliseconds duration_value(const fs::path& file, std::string_view key,
                                         const toml::node& node) {
  std::string text = node.is_string()   ? *node.value<std::string>()
                     : node.is_number() ? scalar_text(file, key, node)
                                        : "";
  if (auto ms = detail::parse_duration(text)) return *ms;
  fail(file, node, fmt::format("'{}' must be {}, not '{}'", key, detail::kDurationForms, text));
}

int retries_value(const fs::path& file, std::string_view key, const toml::node& node) {
  auto n = node.value<std::int64_t>();
  if (!node.is_integer() || *n < 0 || *n > 100) {
    fail(file, node, fmt::format("'{}' must be a whole number from 0 to 100", key));
  }
  return static_cast<int>(*n);
}

// The parameter that marks `url` as pooled, as written: "pgbouncer=true".
std::string pooled_marker(const Url& url) {
  auto pgbouncer = url.param("pgbouncer");
  return pgbouncer ? "pgbouncer=" + *pgbouncer
                   : "prepared_statements=" + url.param("prepared_statements").value_or("");
}

const toml::table& section(const fs::path& file, std::string_view name, const toml::node& node) {
  if (!node.is_table()) fail(file, node, fmt::format("'{}' must be a table ([{}])", name, name));
  return *node.as_table();
}

}  // namespace

// Reads the sections of strata.toml into a Config; a friend, so that toml++ stays out of the
// public header.
struct ConfigLoader {
  static void database(Config& config, const toml::table& table);
  static void replicas(Config& config, const toml::node& node);
  static void migrations(Config& config, const toml::table& table);
  static void naming_convention(Config& config, const toml::table& table);
  static void autogenerate(Config& config, const toml::table& table);
};

void ConfigLoader::database(Config& c, const toml::table& table) {
  for (const auto& [key, value] : table) {
    std::string_view name = key.str();
    if (name == "url") {
      c.url_ = string_value(c.file_, "database.url", value);
    } else if (name == "replicas") {
      replicas(c, value);
    } else if (name == "replica_max_lag") {
      std::string text = string_value(c.file_, "database.replica_max_lag", value);
      c.replica_max_lag_ = max_lag_value(fmt::format("{}:{}: 'database.replica_max_lag'",
                                                     c.file_.string(), value.source().begin.line),
                                         text);
    } else if (std::find(std::begin(kPoolKeys), std::end(kPoolKeys), name) != std::end(kPoolKeys)) {
      c.pool_settings_.emplace_back(std::string(name), scalar_text(c.file_, name, value));
    } else {
      fail(c.file_, value, fmt::format("unknown key 'database.{}'", name));
    }
  }
}

void ConfigLoader::replicas(Config& c, const toml::node& node) {
  if (!node.is_array()) fail(c.file_, node, "'database.replicas' must be a list of URLs");
  c.replicas_line_ = node.source().begin.line;
  for (const auto& item : *node.as_array())
    c.replicas_.push_back(string_value(c.file_, "database.replicas", item));
}

void ConfigLoader::migrations(Config& c, const toml::table& table) {
  for (const auto& [key, value] : table) {
    std::string_view name = key.str();
    if (name == "script_location") {
      c.script_location_ = string_value(c.file_, "migrations.script_location", value);
    } else if (name == "version_table") {
      c.version_table_ = string_value(c.file_, "migrations.version_table", value);
    } else if (name == "url") {
      c.migration_url_ = string_value(c.file_, "migrations.url", value);
      c.migration_url_line_ = value.source().begin.line;
    } else if (name == "lock_timeout") {
      c.lock_timeout_ = duration_value(c.file_, "migrations.lock_timeout", value);
    } else if (name == "statement_timeout") {
      c.statement_timeout_ = duration_value(c.file_, "migrations.statement_timeout", value);
    } else if (name == "lock_retries") {
      c.lock_retries_ = retries_value(c.file_, "migrations.lock_retries", value);
    } else {
      fail(c.file_, value, fmt::format("unknown key 'migrations.{}'", name));
    }
  }
}

void ConfigLoader::naming_convention(Config& c, const toml::table& table) {
  for (const auto& [key, value] : table) {
    std::string_view name = key.str();
    if (name != "pk" && name != "ix" && name != "uq" && name != "fk" && name != "ck") {
      fail(c.file_, value,
           fmt::format("unknown key 'naming_convention.{}' (expected pk, ix, uq, fk or ck)", name));
    }
    c.naming_convention_[std::string(name)] =
        string_value(c.file_, fmt::format("naming_convention.{}", name), value);
  }
}

void ConfigLoader::autogenerate(Config& c, const toml::table& table) {
  for (const auto& [key, value] : table) {
    std::string_view name = key.str();
    if (name != "include" && name != "exclude") {
      fail(c.file_, value,
           fmt::format("unknown key 'autogenerate.{}' (expected include or exclude)", name));
    }
    std::string what = fmt::format("autogenerate.{}", name);
    if (!value.is_array())
      fail(c.file_, value, fmt::format("'{}' must be a list of patterns", what));
    auto& patterns = name == "include" ? c.autogenerate_include_ : c.autogenerate_exclude_;
    for (const auto& item : *value.as_array())
      patterns.push_back(string_value(c.file_, what, item));
  }
}

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
      ConfigLoader::database(config, section(file, "database", node));
    } else if (key == "migrations") {
      ConfigLoader::migrations(config, section(file, "migrations", node));
    } else if (key == "naming_convention") {
      ConfigLoader::naming_convention(config, section(file, "naming_convention", node));
    } else if (key == "autogenerate") {
      ConfigLoader::autogenerate(config, section(file, "autogenerate", node));
    } else {
      fail(file, node,
           fmt::format("unknown section '{}' (expected database, migrations, naming_convention or "
                       "autogenerate)",
                       key.str()));
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
      // Masked: a URL given where the file belongs must not print its password.
      throw ConfigError(fmt::format("config file {} does not exist", mask_url(file->string())));
    }
    config = load(*file);
  } else if (auto found = find(fs::current_path())) {
    config = load(*found);
  } else {
    config.base_dir_ = fs::current_path();
  }
  if (const char* env = std::getenv("DATABASE_URL"); env && *env) config.env_url_ = env;
  if (const char* env = std::getenv("DATABASE_REPLICA_URLS"); env && *env) {
    config.env_replicas_ = env;
  }
  if (const char* env = std::getenv("DATABASE_REPLICA_MAX_LAG"); env && *env) {
    config.replica_max_lag_ = max_lag_value("DATABASE_REPLICA_MAX_LAG", env);
  }
  if (const char* env = std::getenv("STRATA_MIGRATION_URL"); env && *env) {
    config.env_migration_url_ = env;
  }
  if (const char* env = std::getenv("MIGRATIONS_DIR"); env && *env) {
    config.script_location_ = fs::absolute(env).lexically_normal().string();
  }
  return config;
}

Url Config::database_url() const {
  const std::string& text = url_override_ ? *url_override_ : env_url_ ? *env_url_ : url_;
  if (text.empty()) {
    throw ConfigError(
        file_.empty()
            ? std::string("no database URL: set DATABASE_URL, or [database] url in strata.toml")
            : fmt::format("{}: no [database] url; set one, or set DATABASE_URL", file_.string()));
  }
  Url url;
  try {
    url = Url::parse(text);
  } catch (const ConfigError& e) {
    if (url_override_) throw;  // given on the spot: no need to say where it came from
    throw ConfigError(fmt::format("{}: {}", env_url_ ? "DATABASE_URL" : file_.string(), e.what()));
  }
  return with_pool_settings(std::move(url), pool_settings_).resolved_against(base_dir_);
}

std::vector<Url> Config::replica_urls() const {
  std::string where = env_replicas_ ? std::string("DATABASE_REPLICA_URLS")
                                    : fmt::format("{}:{}", file_.string(), replicas_line_);
  std::vector<Url> urls;
  for (const auto& text : env_replicas_ ? split_list(*env_replicas_) : replicas_) {
    Url url;
    try {
      url = Url::parse(text);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("{}: {}", where, e.what()));
    }
    if (url.backend() != Backend::postgresql) {
      throw ConfigError(fmt::format(
          "{}: read replica {} is not PostgreSQL; replicas are PostgreSQL standbys: remove it",
          where, url.masked()));
    }
    urls.push_back(with_pool_settings(std::move(url), pool_settings_));
  }
  if (!urls.empty() && database_url().backend() != Backend::postgresql) {
    throw ConfigError(fmt::format(
        "{}: read replicas need a PostgreSQL database, not {}; remove them (SQLite reads run on "
        "the database itself)",
        where, database_url().masked()));
  }
  return urls;
}

// The file's [migrations] url goes with its [database] url: once DATABASE_URL names another
// database, migrating the file's server instead would change the wrong database.
Url Config::migration_url() const {
  bool file_pair = !migration_url_.empty() && !env_url_;
  bool own = !url_override_ && (env_migration_url_ || file_pair);
  if (!own) {
    Url url = database_url();
    if (!url.pooled()) return url;
    std::string file = file_.empty() ? std::string(kFileName) : file_.string();
    throw ConfigError(fmt::format(
        "database URL {} is marked pooled ({}), and migrations need a direct connection to the "
        "server: {}",
        url.masked(), pooled_marker(url),
        url_override_ ? std::string("give the server's own URL instead")
        : env_url_
            ? std::string("DATABASE_URL comes from the environment, so set "
                          "STRATA_MIGRATION_URL to one")
            : fmt::format("set [migrations] url in {} or STRATA_MIGRATION_URL to one", file)));
  }
  std::string where = env_migration_url_ ? std::string("STRATA_MIGRATION_URL")
                                         : fmt::format("{}:{}: migrations.url", file_.string(),
                                                       migration_url_line_);
  Url url;
  try {
    url = Url::parse(env_migration_url_ ? *env_migration_url_ : migration_url_);
    if (!url.pooled()) return url.resolved_against(base_dir_);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("{}: {}", where, e.what()));
  }
  throw ConfigError(fmt::format(
      "{}: {} is marked pooled ({}), and migrations need a direct connection to the server: "
      "name the server itself, not the pooler",
      where, url.masked(), pooled_marker(url)));
}

fs::path Config::script_location() const {
  fs::path location(script_location_);
  return location.is_absolute() ? location : (base_dir_ / location).lexically_normal();
}

std::string Config::initial_text(std::string_view url, std::string_view script_location) {
  auto quoted = [](std::string_view text) {
    std::ostringstream out;
    toml::value<std::string> value{std::string(text)};
    out << toml::toml_formatter{value, toml::format_flags::none};
    return out.str();
  };
  return fmt::format(
      "[database]\nurl = {}      # DATABASE_URL in the environment overrides this\n\n"
      "[migrations]\nscript_location = {}\nversion_table = \"strata_version\"\n",
      quoted(url), quoted(script_location));
}

}  // namespace strata
