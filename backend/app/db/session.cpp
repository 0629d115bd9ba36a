#include "app/db/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <strata/migrate/runner.hpp>
#include <string>
#include <thread>

namespace backend::db {
namespace {

// Unless the URL sizes the pool, a fixed pool of twice the cores (at least 4) and no overflow.
// Overflow connections close as soon as they come back, so under steady load a server that
// uses them keeps opening new ones, and each PostgreSQL connect stalls its request for
// milliseconds; more connections than the database can run at once only lengthen the queue.
// Requests beyond the pool wait their turn in it (it is fair), up to pool_timeout.
strata::Url service_url(const strata::Url& url) {
  if (url.param("pool_size") || url.param("max_overflow")) return url;
  unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  return url.with_param("pool_size", std::to_string(std::max(4U, 2 * cores)))
      .with_param("max_overflow", "0");
}

// The read replicas (DATABASE_REPLICA_URLS, [database] replicas), pooled as the primary is and
// named in pg_stat_activity as its connections are.
std::vector<strata::Engine> replica_engines(const Settings& settings) {
  std::vector<strata::Engine> engines;
  for (auto url : settings.config.replica_urls()) {
    if (!url.param("application_name")) url = url.with_param("application_name", "backend");
    engines.push_back(strata::create_engine(service_url(url)));
  }
  return engines;
}

std::vector<std::string> sorted(std::vector<std::string> revisions) {
  std::sort(revisions.begin(), revisions.end());
  return revisions;
}

}  // namespace

std::optional<std::string> SchemaStatus::describe(const std::vector<std::string>& revisions) {
  if (revisions.empty()) return std::nullopt;
  return fmt::format("{}", fmt::join(revisions, ", "));
}

Database::Database(const Settings& settings)
    // Objects are read after commit to build the response: keep them (expire_on_commit off).
    : sessions_(strata::create_engine(service_url(settings.database_url)),
                replica_engines(settings), {.autoflush = true, .expire_on_commit = false},
                {.max_lag = settings.config.replica_max_lag()}),
      scripts_(strata::migrate::ScriptDirectory::load(
          settings.config.script_location(), strata::NamingConvention::from(settings.config))),
      config_(settings.config) {}

SchemaStatus Database::status() const {
  strata::migrate::Runner runner(engine(), scripts_, {.version_table = config_.version_table()});
  return {sorted(runner.current()), sorted(scripts_.graph().heads())};
}

std::vector<std::string> Database::upgrade() const {
  std::vector<std::string> lines;
  // strata.toml's version table, lock_timeout, statement_timeout and lock_retries.
  auto options = strata::migrate::RunnerOptions::from(config_);
  options.progress = [&](const std::string& line) { lines.push_back(line); };
  // Not through the service's engine: its URL may lead through a transaction pooler, where the
  // runner's lock and its steps would not share a server session.
  strata::migrate::Runner(strata::create_engine(config_.migration_url()), scripts_, options)
      .upgrade("heads");
  return lines;
}

}  // namespace backend::db
