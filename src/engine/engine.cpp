#include "strata/engine/engine.hpp"

#include "strata/driver/driver.hpp"

namespace strata {

Connection Engine::connect() const {
  return Connection(pool_, pool_->acquire());
}

void Engine::load_driver() const {
  driver::load(url());
}

Engine create_engine(const Url& url) {
  driver::validate(url);
  return Engine(std::make_shared<Pool>(url, PoolOptions::from_url(url)));
}

Engine create_engine(std::string_view url) {
  return create_engine(Url::parse(url));
}

Engine create_engine(const Config& config) {
  return create_engine(config.database_url());
}

}  // namespace strata
