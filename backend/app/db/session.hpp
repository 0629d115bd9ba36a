// The database as the service sees it: one Engine (and its pool) and one SessionFactory for the
// whole process, made from the settings, plus the migrations, to tell whether the schema is at
// their head and to bring it there (`serve --migrate`). With read replicas configured
// (DATABASE_REPLICA_URLS), read sessions go to them, and to the primary when none is fit.
//
//   db::Database database{settings};
//   database.sessions().scope([&](strata::Session& session) { ... });  // one per request
//   database.sessions().read_scope([&](strata::Session& session) { ... });  // GET: reads only
#pragma once

#include <optional>
#include <strata/engine/engine.hpp>
#include <strata/migrate/script_directory.hpp>
#include <strata/orm/session.hpp>
#include <string>
#include <vector>

#include "app/settings.hpp"

namespace backend::db {

// Where the schema stands against the migrations.
struct SchemaStatus {
  std::vector<std::string> current;  // the revisions the database is at; empty at base
  std::vector<std::string> heads;    // the heads of backend/migrations

  bool at_head() const { return current == heads; }
  // "5c1d2e3f4a5b", "a, b" for several heads, or nullopt at base.
  static std::optional<std::string> describe(const std::vector<std::string>& revisions);
};

// Owns the engine, the session factory and the parsed migrations. Made once at startup and
// shared by every worker thread: all its members are safe to use concurrently (each call to
// status() or upgrade() takes its own connection from the pool).
class Database {
 public:
  // Reads the migrations (throws strata::MigrationError naming a bad file) and makes the
  // engines (throws strata::ConfigError for a bad URL, or replicas of a SQLite database);
  // connects only when first used.
  explicit Database(const Settings& settings);

  const strata::SessionFactory& sessions() const noexcept { return sessions_; }
  // The primary: /health and the migrations look at it, never at a replica.
  const strata::Engine& engine() const noexcept { return sessions_.engine(); }

  // Reads the version table. Throws strata::DatabaseError when the database is unreachable.
  SchemaStatus status() const;
  // Upgrades to the head under the migration runner's lock, so that replicas starting together
  // apply each revision once, through the configuration's migration URL (STRATA_MIGRATION_URL,
  // [migrations] url, else the database's; a strata::ConfigError when only a pooled one is
  // set). Returns a line per step applied.
  std::vector<std::string> upgrade() const;

 private:
  strata::SessionFactory sessions_;
  strata::migrate::ScriptDirectory scripts_;
  strata::Config config_;
};

}  // namespace backend::db
