// strata.toml and the environment: where the database is and where migrations live.
//
//   [database]
//   url = "sqlite:///data/app.db"     # DATABASE_URL in the environment overrides this
//   pool_size = 5                     # pool settings; a parameter in the URL wins
//   replicas = ["postgresql://app@replica1/app"]   # reads only; DATABASE_REPLICA_URLS wins
//   replica_max_lag = "10s"           # DATABASE_REPLICA_MAX_LAG wins
//   [migrations]
//   script_location = "migrations"    # MIGRATIONS_DIR in the environment overrides this
//   version_table = "strata_version"
//   url = "postgresql://app@db/app"   # STRATA_MIGRATION_URL wins; direct, for migration commands
//   lock_timeout = "5s"               # PostgreSQL: how long a revision's statement waits for a
//   statement_timeout = "10min"       # lock, and may run; lock_retries tries after a lock wait
//   lock_retries = 3
//   [naming_convention]                 # templates for constraint and index names
//   ix = "ix_{table}_{columns}"          # also pk, uq, fk, ck
//   [autogenerate]                       # which tables autogenerate and check look at
//   include = ["app_*"]                  # glob patterns; empty: every table
//   exclude = ["legacy_*", "tmp_*"]
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/url.hpp"

namespace strata {

// A loaded configuration. A value type: copyable, and safe to read from several threads.
class Config {
 public:
  static constexpr const char* kFileName = "strata.toml";

  // Reads one file. Throws ConfigError naming the file, line and key when it is malformed.
  static Config load(const std::filesystem::path& file);
  // Looks for strata.toml in `start` and its parents; nullopt when there is none.
  static std::optional<std::filesystem::path> find(const std::filesystem::path& start);
  // How the command line and applications resolve settings: the named file if given (it must
  // exist), else strata.toml found from the working directory, else defaults; then the
  // environment's DATABASE_URL over the file's URL, and MIGRATIONS_DIR (relative to the working
  // directory, where it was set) over its script_location.
  static Config resolve(const std::optional<std::filesystem::path>& file = std::nullopt);
  // The text `strata init` writes: the URL and the migrations folder (relative to the file's
  // own folder, as load() resolves it), quoted as TOML strings.
  static std::string initial_text(std::string_view url, std::string_view script_location);

  // The database URL with DATABASE_URL applied, pool settings from the file merged in, and a
  // relative SQLite path made absolute against the config file's folder (or the working
  // directory without a file). Throws ConfigError when no URL is configured anywhere, or when
  // it does not parse (naming DATABASE_URL or the file it came from).
  Url database_url() const;
  // The read replicas: DATABASE_REPLICA_URLS (comma-separated) when set, else [database]
  // replicas; pool settings from the file merged in as for database_url(). Throws ConfigError
  // naming the variable or the file for a URL that does not parse, a replica that is not
  // PostgreSQL, or replicas of a database that is not (SQLite has none).
  std::vector<Url> replica_urls() const;
  // How far a replica may trail the primary and still serve reads: DATABASE_REPLICA_MAX_LAG
  // when set, else [database] replica_max_lag ("10s", "500ms"); 10 s by default.
  std::chrono::milliseconds replica_max_lag() const noexcept { return replica_max_lag_; }

  // The URL migration commands connect through: the override (--url) when set, else
  // STRATA_MIGRATION_URL, else [migrations] url, else database_url(). Throws ConfigError as
  // database_url() does (naming STRATA_MIGRATION_URL or the file's key for a URL that does not
  // parse), and, before anything connects, when that URL is marked pooled (Url::pooled): a
  // migration's lock and steps must share one server session, which a transaction pooler does
  // not keep. The message says what to set.
  Url migration_url() const;

  // The folder that relative paths resolve against.
  const std::filesystem::path& base_dir() const noexcept { return base_dir_; }
  // The file this was read from; empty for a configuration without a file.
  const std::filesystem::path& file() const noexcept { return file_; }
  // script_location made absolute against base_dir().
  std::filesystem::path script_location() const;
  const std::string& version_table() const noexcept { return version_table_; }
  // [migrations] lock_timeout (5 s by default; 0: no limit), statement_timeout (unset: the
  // server's setting) and lock_retries (3): PostgreSQL's limits on each revision's statements,
  // which a revision file's own lock_timeout and statement_timeout replace. SQLite has none.
  std::chrono::milliseconds migration_lock_timeout() const noexcept { return lock_timeout_; }
  std::optional<std::chrono::milliseconds> migration_statement_timeout() const noexcept {
    return statement_timeout_;
  }
  int migration_lock_retries() const noexcept { return lock_retries_; }
  // The [naming_convention] templates the file sets, by key: pk, ix, uq, fk, ck.
  const std::map<std::string, std::string>& naming_convention() const noexcept {
    return naming_convention_;
  }

  // [autogenerate] include and exclude: glob patterns of table names.
  const std::vector<std::string>& autogenerate_include() const noexcept {
    return autogenerate_include_;
  }
  const std::vector<std::string>& autogenerate_exclude() const noexcept {
    return autogenerate_exclude_;
  }

  // Replaces the URL, as `--url` does on the command line; it wins over DATABASE_URL.
  void set_url_override(std::string url) { url_override_ = std::move(url); }

 private:
  friend struct ConfigLoader;

  std::filesystem::path file_;
  std::filesystem::path base_dir_;
  std::string url_;
  std::optional<std::string> env_url_;
  std::optional<std::string> url_override_;
  std::vector<std::pair<std::string, std::string>> pool_settings_;
  std::vector<std::string> replicas_;
  std::int64_t replicas_line_ = 0;  // of [database] replicas, for errors
  std::optional<std::string> env_replicas_;
  std::chrono::milliseconds replica_max_lag_{10'000};
  std::string script_location_ = "migrations";
  std::string version_table_ = "strata_version";
  std::string migration_url_;  // [migrations] url
  std::int64_t migration_url_line_ = 0;
  std::optional<std::string> env_migration_url_;
  std::chrono::milliseconds lock_timeout_{5'000};
  std::optional<std::chrono::milliseconds> statement_timeout_;
  int lock_retries_ = 3;
  std::map<std::string, std::string> naming_convention_;
  std::vector<std::string> autogenerate_include_;
  std::vector<std::string> autogenerate_exclude_;
};

}  // namespace strata
