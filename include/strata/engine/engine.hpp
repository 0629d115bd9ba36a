// The entry point: an Engine made from a database URL or a Config, handing out pooled
// connections.
//
//   auto engine = strata::create_engine("sqlite:///data/app.db");
//   auto conn = engine.connect();
//   conn.execute("INSERT INTO items (title) VALUES (?)", "hello");
#pragma once

#include <memory>
#include <string_view>

#include "strata/core/config.hpp"
#include "strata/engine/connection.hpp"

namespace strata {

// A handle on a database and its pool. Copies share the pool. Thread-safe: one Engine serves
// every thread of a process, each taking its own Connection.
class Engine {
 public:
  explicit Engine(std::shared_ptr<Pool> pool) noexcept : pool_(std::move(pool)) {}

  // A connection from the pool; see Pool::acquire for waiting and errors.
  Connection connect() const;

  const Url& url() const noexcept { return pool_->url(); }
  Backend backend() const noexcept { return pool_->url().backend(); }
  PoolStatus pool_status() const { return pool_->status(); }
  // Loads the backend's client library now rather than at the first connection (libpq takes a
  // few milliseconds, and more while other threads run). Throws OperationalError when missing.
  void load_driver() const;
  // Closes idle connections, for example before fork() or at shutdown.
  void dispose() const noexcept { pool_->dispose(); }

 private:
  std::shared_ptr<Pool> pool_;
};

// Validates the URL and its parameters (ConfigError on anything wrong) without connecting.
Engine create_engine(std::string_view url);
Engine create_engine(const Url& url);
Engine create_engine(const Config& config);

}  // namespace strata
