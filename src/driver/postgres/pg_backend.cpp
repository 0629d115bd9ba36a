// PostgreSQL as the rest of strata finds it: its URLs (servers), parameters, driver entry
// points and dialect, in the descriptor src/driver/backends.cpp lists.
#include "../../core/backend_spec.hpp"
#include "pg_driver.hpp"

namespace strata::detail {

// Defined with the dialect (src/dialect/postgres/postgres_dialect.cpp). Declared rather than
// included: the driver does not compile against the dialect, it only hands on the accessor.
const Dialect& postgres_dialect();

namespace {

constexpr std::string_view kSchemes[] = {"postgresql", "postgres"};
// `password` as libpq takes it: some users put it in the query rather than before the '@'.
// `prepared_statements` and `pgbouncer` mark a URL leading through a transaction pooler.
constexpr std::string_view kParams[] = {"host",
                                        "sslmode",
                                        "connect_timeout",
                                        "application_name",
                                        "sslrootcert",
                                        "sslcert",
                                        "sslkey",
                                        "options",
                                        "target_session_attrs",
                                        "password",
                                        "prepared_statements",
                                        "pgbouncer"};

std::unique_ptr<driver::Connection> connect(const Url& url) {
  return std::make_unique<driver::postgres::PgConnection>(url);
}

// libpq is opened with dlopen on first use, so that a program on SQLite alone never needs it.
void load(const Url& url) {
  driver::postgres::libpq(url.masked());
}

}  // namespace

const BackendSpec& postgres_backend() {
  static constexpr BackendSpec spec{
      .backend = Backend::postgresql,
      .name = "postgresql",
      .title = "PostgreSQL",
      .schemes = kSchemes,
      .example_url = "postgresql://host/db",
      .file_urls = false,
      .params = kParams,
      .misplaced_params = {},
      .misplaced_reason = "",
      .syntax = &kPostgresSyntax,
      .connect = connect,
      .load = load,
      .validate = driver::postgres::validate,
      .dialect = postgres_dialect,
  };
  return spec;
}

}  // namespace strata::detail
