// SQLite as the rest of strata finds it: its URLs (files), parameters, driver entry points and
// dialect, in the descriptor src/driver/backends.cpp lists.
#include "../../core/backend_spec.hpp"
#include "sqlite_driver.hpp"

namespace strata::detail {

// Defined with the dialect (src/dialect/sqlite/sqlite_dialect.cpp). Declared rather than
// included: the driver does not compile against the dialect, it only hands on the accessor.
const Dialect& sqlite_dialect();

namespace {

constexpr std::string_view kSchemes[] = {"sqlite"};
constexpr std::string_view kParams[] = {"busy_timeout", "journal_mode", "synchronous",
                                        "foreign_keys", "mode"};
// PostgreSQL's marks of a transaction pooler: refused with a reason rather than as unknown.
constexpr std::string_view kPoolerParams[] = {"prepared_statements", "pgbouncer"};

std::unique_ptr<driver::Connection> connect(const Url& url) {
  return std::make_unique<driver::sqlite::SqliteConnection>(url,
                                                            driver::sqlite::parse_options(url));
}

void validate(const Url& url) {
  driver::sqlite::parse_options(url);
}

}  // namespace

const BackendSpec& sqlite_backend() {
  static constexpr BackendSpec spec{
      .backend = Backend::sqlite,
      .name = "sqlite",
      .title = "SQLite",
      .schemes = kSchemes,
      .example_url = "sqlite:///file.db",
      .file_urls = true,
      .params = kParams,
      .misplaced_params = kPoolerParams,
      .misplaced_reason =
          "is for a PostgreSQL server behind a transaction pooler, and a SQLite file has none",
      .syntax = &kSqliteSyntax,
      .connect = connect,
      .load = nullptr,  // linked
      .validate = validate,
      .dialect = sqlite_dialect,
  };
  return spec;
}

}  // namespace strata::detail
