#include "postgres/pg_driver.hpp"
#include "sqlite/sqlite_driver.hpp"

namespace strata::driver {

std::unique_ptr<Connection> connect(const Url& url) {
  if (url.backend() == Backend::sqlite) {
    return std::make_unique<sqlite::SqliteConnection>(url, sqlite::parse_options(url));
  }
  return std::make_unique<postgres::PgConnection>(url);
}

void load(const Url& url) {
  if (url.backend() == Backend::postgresql) postgres::libpq(url.masked());
}

void validate(const Url& url) {
  if (url.backend() == Backend::sqlite) {
    sqlite::parse_options(url);
  } else {
    postgres::validate(url);
  }
}

}  // namespace strata::driver
