// Database URLs: `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite://` (memory),
// `postgresql://user:pass@host:5432/db?sslmode=require`, `postgresql:///db?host=/socket/dir`.
// Parsing validates everything a URL can get wrong, so that a bad URL fails at startup with a
// message naming the bad part, never later inside a driver.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata {

// The built-in backends. A new one adds its enumerator here and its descriptor to the list in
// src/driver/backends.cpp; everything else about it lives in src/driver/<name>/ and
// src/dialect/<name>/.
enum class Backend { sqlite, postgresql };

// A parsed database URL. A value type: copyable, and safe to read from several threads.
class Url {
 public:
  // Throws ConfigError naming the bad part: scheme, host, port, database, or parameter.
  static Url parse(std::string_view text);

  Backend backend() const noexcept { return backend_; }
  const std::string& username() const noexcept { return username_; }
  // The `password` parameter when there is one (libpq lets it win), else the one before '@'.
  const std::string& password() const noexcept;
  const std::string& host() const noexcept { return host_; }
  std::optional<std::uint16_t> port() const noexcept { return port_; }
  // The PostgreSQL database name, or the SQLite file path (empty for an in-memory database).
  const std::string& database() const noexcept { return database_; }
  // Whether the backend's URLs name a file (SQLite) and this one names none: an in-memory
  // database.
  bool is_memory() const noexcept;
  // Whether the database is a file this process opens (SQLite, not in memory): database() is
  // then its path, and a missing file is a database not made yet.
  bool is_file() const noexcept;

  // Query parameters in the order given; names are validated against the backend's set.
  const std::vector<std::pair<std::string, std::string>>& params() const noexcept {
    return params_;
  }
  std::optional<std::string> param(std::string_view name) const;
  // A true/false parameter (true, 1, on, yes / false, 0, off, no); nullopt when absent. Throws
  // ConfigError naming the parameter for any other value.
  std::optional<bool> flag(std::string_view name) const;
  // Whether the URL leads through a transaction pooler such as PgBouncer:
  // `prepared_statements=false`, or its alias `pgbouncer=true`. Then a server connection may
  // change between transactions, so strata sends unnamed statements only and keeps no session
  // state, and migrations need a direct URL. Throws ConfigError for a bad value, or when the
  // two parameters contradict each other.
  bool pooled() const;
  Url with_param(std::string_view name, std::string_view value) const;
  // The same server and settings with another database (PostgreSQL) or file (SQLite).
  Url with_database(std::string_view database) const;

  // A relative SQLite path made absolute against `dir`; other URLs are returned unchanged.
  Url resolved_against(const std::filesystem::path& dir) const;

  // The URL with its password shown as `***`, before the '@' and in a `password` parameter:
  // the only form strata ever prints or logs.
  std::string masked() const;
  // The URL with its password, for handing to a driver. Never log it.
  std::string unmasked() const;

 private:
  void parse_file_path(std::string_view authority, std::string_view path, std::string_view text);
  void parse_authority(std::string_view authority, std::string_view text);
  void parse_query(std::string_view query, std::string_view text);
  std::string render(bool mask) const;

  Backend backend_ = Backend::sqlite;
  std::string scheme_;
  std::string username_;
  std::string password_;  // the one before '@'
  std::string host_;
  std::optional<std::uint16_t> port_;
  std::string database_;
  std::vector<std::pair<std::string, std::string>> params_;
};

// Masks the password of anything that looks like a URL, even one that does not parse: what
// follows ':' in the user information, and the value of every parameter whose name (percent-
// decoded) looks like `password`. For messages about URLs that were rejected.
std::string mask_url(std::string_view text);

// mask_url applied to every word of a message that holds "://" or '@': for messages that quote
// what a user typed, as a command-line parser's do.
std::string mask_urls_in(std::string_view message);

}  // namespace strata
