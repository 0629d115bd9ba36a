// The service's settings, read once at startup from the environment and strata.toml, the way
// twelve-factor services are configured:
//
//   DATABASE_URL  the database (default: strata.toml's url, else sqlite:///data/app.db)
//   HOST, PORT    where to listen (default 127.0.0.1:8000; the command line wins)
//   LOG_LEVEL     debug, info (default), warning, error
#pragma once

#include <filesystem>
#include <strata/core/config.hpp>
#include <strata/core/url.hpp>
#include <string>

namespace backend {

// A value type, read-only after startup.
struct Settings {
  strata::Config config;  // strata.toml (found upward from the working directory) + DATABASE_URL
  strata::Url database_url;
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string log_level = "info";  // in spdlog's spelling: debug, info, warn, error

  // Throws strata::ConfigError naming the variable or the file that is wrong.
  static Settings from_environment();
};

// Sets DATABASE_URL to sqlite:///data/app.db when neither the environment nor a strata.toml
// names a database, so that `serve` and the embedded `db` commands agree on the default.
void apply_default_database_url();

}  // namespace backend
