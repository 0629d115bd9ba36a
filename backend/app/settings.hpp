// The service's settings, read once at startup from the environment and strata.toml, the way
// twelve-factor services are configured:
//
//   --config FILE   strata.toml (default: found upward from the working directory); relative
//                   paths in it (the SQLite file, script_location) are relative to its folder
//   DATABASE_URL    the database (default: strata.toml's url, else sqlite:///data/app.db)
//   DATABASE_REPLICA_URLS, DATABASE_REPLICA_MAX_LAG   read replicas for GET routes (strata.toml's
//                   [database] replicas and replica_max_lag; read by strata::Config)
//   STRATA_MIGRATION_URL   a direct URL for --migrate and `backend db` (strata.toml's
//                   [migrations] url), needed when DATABASE_URL goes through a pooler
//   MIGRATIONS_DIR  the folder holding versions/ (default: strata.toml's script_location)
//   HOST, PORT      where to listen (default 127.0.0.1:8000; the command line wins)
//   LOG_LEVEL       debug, info (default), warning, error
//   HTTP_HEADER_TIMEOUT, HTTP_BODY_TIMEOUT, HTTP_IDLE_TIMEOUT   seconds (10, 30, 5)
//   HTTP_MAX_CONNECTIONS (10000), HTTP_THREADS (max(8, 4 x cores))
//   CORS_ORIGINS    browser origins allowed to call the API, comma-separated (empty: CORS off)
//   SWAGGER_UI_URL  where /docs loads Swagger UI from (default: a public CDN, as FastAPI)
#pragma once

#include <filesystem>
#include <optional>
#include <strata/core/config.hpp>
#include <strata/core/url.hpp>
#include <string>
#include <vector>

#include "app/http/server.hpp"

namespace backend {

// A value type, read-only after startup.
struct Settings {
  strata::Config config;  // strata.toml + DATABASE_URL and MIGRATIONS_DIR
  strata::Url database_url;
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string log_level = "info";  // in spdlog's spelling: debug, info, warn, error
  http::Limits http;
  std::vector<std::string> cors_origins;
  std::string swagger_ui = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5";

  // Throws strata::ConfigError naming the variable, the file or the folder that is wrong.
  static Settings from_environment(const std::optional<std::filesystem::path>& config_file);
};

// Sets DATABASE_URL to sqlite:///data/app.db when neither the environment nor a strata.toml
// (`config_file`, else one found upward) names a database, so that `serve` and the embedded
// `db` commands agree on the default.
void apply_default_database_url(const std::optional<std::filesystem::path>& config_file);

}  // namespace backend
