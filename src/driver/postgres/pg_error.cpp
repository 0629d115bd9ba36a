#include <fmt/format.h>

#include "pg_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::postgres {
namespace {

std::string field(const PGresult* result, int code) {
  const char* value = result ? libpq().PQresultErrorField(result, code) : nullptr;
  return value ? value : "";
}

std::string message_of(PGconn* conn, const PGresult* result) {
  std::string primary = field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty()) {
    primary = conn ? libpq().PQerrorMessage(conn) : "unknown error";
    while (!primary.empty() && (primary.back() == '\n' || primary.back() == ' ')) {
      primary.pop_back();
    }
    return primary;
  }
  std::string detail = field(result, PG_DIAG_MESSAGE_DETAIL);
  std::string hint = field(result, PG_DIAG_MESSAGE_HINT);
  if (!detail.empty()) primary += ": " + detail;
  if (!hint.empty()) primary += "; " + hint;
  return primary;
}

}  // namespace

void throw_error(PGconn* conn, const PGresult* result, std::string_view statement,
                 const std::string& url) {
  std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
  std::string message = message_of(conn, result);
  DatabaseErrorInfo info{sqlstate, sqlstate, 0, std::string(statement), url};
  if (sqlstate.empty() || (conn && libpq().PQstatus(conn) != CONNECTION_OK)) {
    throw OperationalError(message, std::move(info));
  }
  std::string_view cls = std::string_view(sqlstate).substr(0, 2);
  if (cls == "23") throw IntegrityError(message, std::move(info));
  if (cls == "42" || cls == "26" || cls == "34" || cls == "0A" || cls == "25") {
    throw ProgrammingError(message, std::move(info));
  }
  if (cls == "22") throw DataError(message, std::move(info));
  throw OperationalError(message, std::move(info));
}

}  // namespace strata::driver::postgres
