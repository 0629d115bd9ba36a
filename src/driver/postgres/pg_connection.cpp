#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "pg_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::postgres {
namespace {

// URL parameters that go to libpq under the same keyword.
constexpr std::array kPassThrough = {
    "sslmode", "application_name", "sslrootcert",         "sslcert",
    "sslkey",  "options",          "target_session_attrs"};

void ignore_notice(void* /*arg*/, const char* /*message*/) {}

// libpq's keywords and their values for `url`.
std::vector<std::pair<std::string, std::string>> connection_settings(const Url& url, bool pooled) {
  std::vector<std::pair<std::string, std::string>> settings;
  std::string host = url.param("host").value_or(url.host());
  if (!host.empty()) settings.emplace_back("host", host);
  if (url.port()) settings.emplace_back("port", std::to_string(*url.port()));
  settings.emplace_back("dbname", url.database());
  if (!url.username().empty()) settings.emplace_back("user", url.username());
  if (!url.password().empty()) settings.emplace_back("password", url.password());
  settings.emplace_back("connect_timeout", url.param("connect_timeout").value_or("10"));
  settings.emplace_back("client_encoding", "UTF8");
  for (const char* key : kPassThrough) {
    if (auto v = url.param(key); v && std::string_view(key) != "options")
      settings.emplace_back(key, *v);
  }
  auto options = url.param("options");
  // Results are parsed in these formats, whatever the server or the database are set to. Not
  // behind a pooler: the next transaction may run on a server connection that another client
  // opened, and PgBouncer 1.18 refuses an `options` startup parameter outright (later versions
  // take only the few settings they track). There the server's defaults stand: ISO dates,
  // checked at connect, and hex bytea.
  if (!pooled) {
    options = "-c DateStyle=ISO,YMD -c bytea_output=hex -c IntervalStyle=postgres " +
              options.value_or("");
  }
  if (options) settings.emplace_back("options", *options);
  return settings;
}

}  // namespace

void validate(const Url& url) {
  url.pooled();  // throws for a bad value
  if (auto v = url.param("connect_timeout")) {
    int seconds = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), seconds);
    if (v->empty() || ec != std::errc{} || end != v->data() + v->size() || seconds < 0) {
      throw ConfigError(
          fmt::format("bad value '{}' for 'connect_timeout' in database URL '{}': expected seconds",
                      *v, url.masked()));
    }
  }
  if (auto v = url.param("sslmode")) {
    constexpr std::array modes = {"disable", "allow",     "prefer",
                                  "require", "verify-ca", "verify-full"};
    if (std::find(modes.begin(), modes.end(), *v) == modes.end()) {
      throw ConfigError(fmt::format(
          "bad value '{}' for 'sslmode' in database URL '{}': expected one of disable, allow, "
          "prefer, require, verify-ca, verify-full",
          *v, url.masked()));
    }
  }
}

PgConnection::PgConnection(const Url& url) : url_(url.masked()), named_statements_(!url.pooled()) {
  validate(url);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  auto settings = connection_settings(url, !named_statements_);
  for (const auto& [k, v] : settings) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = libpq(url_).PQconnectdbParams(keys.data(), values.data(), 0);
  if (libpq().PQstatus(conn_) != CONNECTION_OK) {
    std::string reason = conn_ ? libpq().PQerrorMessage(conn_) : "out of memory";
    libpq().PQfinish(conn_);
    conn_ = nullptr;
    throw OperationalError(fmt::format("cannot connect to {}: {}", url_, reason),
                           {"", "", 0, "", url_});
  }
  libpq().PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  if (!named_statements_) check_date_style();
}

// Behind a pooler strata cannot choose the date format, so it refuses a server whose dates it
// would misread. The server reports DateStyle at connect: this costs no round trip.
void PgConnection::check_date_style() {
  const char* style = libpq().PQparameterStatus(conn_, "DateStyle");
  if (style == nullptr || std::string_view(style).starts_with("ISO")) return;
  std::string message = fmt::format(
      "{} reports DateStyle '{}', and behind a transaction pooler (prepared_statements=false) "
      "strata cannot set its own: set an ISO one for the database or role, as in ALTER DATABASE "
      "... SET DateStyle = 'ISO, YMD'",
      url_, style);
  libpq().PQfinish(conn_);
  conn_ = nullptr;
  throw OperationalError(message, {"", "", 0, "", url_});
}

PgConnection::~PgConnection() {
  libpq().PQfinish(conn_);
}

std::unique_ptr<Statement> PgConnection::prepare(const std::string& sql, bool cached) {
  // Behind a transaction pooler a named statement would exist on one server connection only:
  // the statement stays unnamed, and the engine's cache keeps just the work done on this side.
  std::string name =
      cached && named_statements_ ? fmt::format("strata_{}", ++next_statement_) : std::string();
  return std::make_unique<PgStatement>(conn_, std::move(name), sql, url_, round_trips_);
}

void PgConnection::drop(std::unique_ptr<Statement> statement) noexcept {
  const auto& stmt = static_cast<PgStatement&>(*statement);
  if (!stmt.prepared()) return;
  const auto& name = stmt.name();
  // A named statement lives as long as the session unless deallocated; an aborted transaction
  // refuses DEALLOCATE, so it waits for the transaction's end.
  undeallocated_ += fmt::format("DEALLOCATE {};", name);
  if (libpq().PQtransactionStatus(conn_) != PQTRANS_INERROR) deallocate_pending();
}

void PgConnection::deallocate_pending() noexcept {
  if (undeallocated_.empty() || libpq().PQstatus(conn_) != CONNECTION_OK) return;
  ++round_trips_;
  ResultPtr(libpq().PQexec(conn_, undeallocated_.c_str()));
  undeallocated_.clear();
}

void PgConnection::rollback() {
  execute_script("ROLLBACK");
  deallocate_pending();
}

void PgConnection::execute_script(std::string_view sql) {
  std::string text(sql);
  ++round_trips_;
  ResultPtr result(libpq().PQexec(conn_, text.c_str()));
  auto status = libpq().PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return;
  }
  throw_error(conn_, result.get(), sql, url_);
}

void PgConnection::savepoint(std::string_view name) {
  execute_script(fmt::format("SAVEPOINT {}", name));
}

void PgConnection::release(std::string_view name) {
  execute_script(fmt::format("RELEASE SAVEPOINT {}", name));
}

void PgConnection::rollback_to(std::string_view name) {
  execute_script(fmt::format("ROLLBACK TO SAVEPOINT {}", name));
  deallocate_pending();
}

TransactionStatus PgConnection::transaction_status() const noexcept {
  switch (libpq().PQtransactionStatus(conn_)) {
    case PQTRANS_IDLE:
      return TransactionStatus::idle;
    case PQTRANS_INTRANS:
    case PQTRANS_ACTIVE:
      return TransactionStatus::active;
    default:
      return TransactionStatus::failed;
  }
}

bool PgConnection::alive(bool round_trip) noexcept {
  if (libpq().PQstatus(conn_) != CONNECTION_OK) return false;
  // An idle connection has nothing to read. Anything readable is either a notification or the
  // server saying goodbye (a restart, an administrator's terminate): consume it and look.
  pollfd fd{libpq().PQsocket(conn_), POLLIN, 0};
  int ready = ::poll(&fd, 1, 0);
  if (ready < 0) return false;
  if (ready > 0) {
    if (!libpq().PQconsumeInput(conn_) || libpq().PQstatus(conn_) != CONNECTION_OK) return false;
    char byte = 0;
    if (::recv(fd.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return false;  // closed by peer
  }
  if (!round_trip) return true;
  ++round_trips_;
  ResultPtr result(libpq().PQexec(conn_, ""));
  return libpq().PQresultStatus(result.get()) == PGRES_EMPTY_QUERY;
}

}  // namespace strata::driver::postgres
