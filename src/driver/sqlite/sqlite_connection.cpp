#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "../../core/sql_lexer.hpp"
#include "sqlite_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::sqlite {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string one_of(const Url& url, std::string_view name,
                   std::initializer_list<const char*> allowed) {
  auto value = url.param(name);
  if (!value) return "";
  std::string v = lower(*value);
  for (const char* a : allowed) {
    if (v == a) return v;
  }
  throw ConfigError(
      fmt::format("bad value '{}' for '{}' in database URL '{}'", *value, name, url.masked()));
}

// Files need their folder to exist and to be writable (WAL keeps two files beside the
// database); both are checked here so that the error names the path and the reason.
void prepare_folder(const std::string& path, const std::string& url) {
  fs::path file(path);
  fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw OperationalError(fmt::format("cannot create folder {} for SQLite database {}: {}",
                                       dir.string(), path, ec.message()),
                           {"SQLITE_CANTOPEN", "", SQLITE_CANTOPEN, "", url});
  }
  bool exists = fs::exists(file, ec);
  const char* target = exists ? path.c_str() : dir.c_str();
  int mode = exists ? (R_OK | W_OK) : (W_OK | X_OK);
  if (::access(target, mode) != 0) {
    int err = errno;
    throw OperationalError(
        fmt::format("cannot open SQLite database {}: {} {} is not writable ({})", path,
                    exists ? "file" : "folder", target, std::strerror(err)),
        {"SQLITE_CANTOPEN", "", SQLITE_CANTOPEN, "", url});
  }
}

// mode=rw: the message names the file, which SQLite's own ("unable to open database file")
// does not.
void require_file(const std::string& path, const std::string& url) {
  std::error_code ec;
  if (fs::status(path, ec).type() != fs::file_type::not_found) return;
  throw OperationalError(
      fmt::format("no SQLite database at {}, and mode=rw opens an existing file only", path),
      {"SQLITE_CANTOPEN", "", SQLITE_CANTOPEN, "", url});
}

// Whether anything but blanks, semicolons and comments follows the first statement.
bool has_more_sql(const char* tail, const char* end) {
  std::string_view rest(tail, static_cast<std::size_t>(end - tail));
  const auto tokens = strata::detail::significant_tokens(rest, strata::detail::kSqliteSyntax);
  return std::any_of(tokens.begin(), tokens.end(),
                     [](const strata::detail::SqlToken& t) { return !t.is(";"); });
}

}  // namespace

Options parse_options(const Url& url) {
  Options options;
  options.path = url.is_memory() ? ":memory:" : url.database();
  if (auto v = url.param("busy_timeout")) {
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), options.busy_timeout_ms);
    if (v->empty() || ec != std::errc{} || end != v->data() + v->size() ||
        options.busy_timeout_ms < 0) {
      throw ConfigError(fmt::format(
          "bad value '{}' for 'busy_timeout' in database URL '{}': expected milliseconds", *v,
          url.masked()));
    }
  }
  auto fk = one_of(url, "foreign_keys", {"on", "off", "true", "false", "1", "0"});
  options.foreign_keys = fk.empty() || fk == "on" || fk == "true" || fk == "1";
  options.journal_mode =
      one_of(url, "journal_mode", {"wal", "delete", "truncate", "persist", "memory", "off"});
  options.synchronous = one_of(url, "synchronous", {"off", "normal", "full", "extra"});
  options.create = one_of(url, "mode", {"rwc", "rw"}) != "rw";
  return options;
}

SqliteConnection::SqliteConnection(const Url& url, const Options& options)
    : url_(url.masked()), busy_timeout_(options.busy_timeout_ms) {
  bool memory = options.path == ":memory:";
  if (!memory) {
    if (options.create) {
      prepare_folder(options.path, url_);
    } else {
      require_file(options.path, url_);
    }
    gate_ = WriteGate::of(options.path);
  }
  // Without SQLITE_OPEN_CREATE a file removed since require_file is an error, not a new file.
  int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) |
              SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(options.path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = fmt::format("cannot open SQLite database {}: {}", options.path,
                                      db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw_error(rc, std::move(message), "", url_);
  }
  try {
    configure(options);
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

void SqliteConnection::configure(const Options& options) {
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  // Reading the schema is the first thing that touches the file: a file that is not a
  // database fails here, at connect, with the path in the message.
  std::string journal = options.journal_mode;
  if (journal.empty() && options.path != ":memory:") journal = "wal";
  std::string sync = options.synchronous;
  if (sync.empty() && journal == "wal") sync = "normal";
  std::string script = fmt::format("PRAGMA foreign_keys={};", options.foreign_keys ? "ON" : "OFF");
  if (!journal.empty()) script += fmt::format("PRAGMA journal_mode={};", journal);
  if (!sync.empty()) script += fmt::format("PRAGMA synchronous={};", sync);
  // Switching a new file to WAL takes an exclusive lock without calling the busy handler, so
  // connections opening one new file together retry here, for up to busy_timeout.
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  for (;;) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) == SQLITE_BUSY && std::chrono::steady_clock::now() < deadline) {
      sqlite3_free(error);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    std::string message = fmt::format("cannot use SQLite database {}: {}", options.path,
                                      error ? error : sqlite3_errstr(rc));
    sqlite3_free(error);
    throw_error(rc, std::move(message), "", url_);
  }
}

SqliteConnection::~SqliteConnection() {
  sqlite3_close_v2(db_);  // rolls back an open transaction, then the next writer may enter
  if (in_gate_) gate_->leave();
}

std::unique_ptr<Statement> SqliteConnection::prepare(const std::string& sql, bool cached) {
  sqlite3_stmt* stmt = nullptr;
  unsigned flags = cached ? SQLITE_PREPARE_PERSISTENT : 0;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, &tail);
  if (rc != SQLITE_OK) throw_error(db_, rc, sql, url_);
  if (has_more_sql(tail, sql.data() + sql.size())) {
    sqlite3_finalize(stmt);
    throw ProgrammingError(
        "execute() runs one statement, and this text holds several; use execute_script() for "
        "several statements without parameters",
        {"SQLITE_MISUSE", "", SQLITE_MISUSE, sql, url_});
  }
  if (!stmt) {
    throw ProgrammingError("the statement is empty",
                           {"SQLITE_MISUSE", "", SQLITE_MISUSE, sql, url_});
  }
  return std::make_unique<SqliteStatement>(db_, stmt, sql, url_);
}

void SqliteConnection::execute_script(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return;
  std::string message = error ? error : sqlite3_errmsg(db_);
  sqlite3_free(error);
  throw_error(sqlite3_extended_errcode(db_), std::move(message), sql, url_);
}

// Only BEGIN IMMEDIATE queues at the gate: it announces a writer. A deferred transaction that
// writes later meets SQLite's busy handler alone, as it would without the gate.
void SqliteConnection::begin(bool immediate) {
  leave_gate_if_ended();  // the previous transaction may have ended through raw SQL
  if (!immediate || !gate_) {
    execute_script("BEGIN");
    return;
  }
  in_gate_ = gate_->enter(std::chrono::steady_clock::now() + busy_timeout_);
  GateGuard guard{*this};
  execute_script("BEGIN IMMEDIATE");
}

void SqliteConnection::leave_gate_if_ended() noexcept {
  if (in_gate_ && sqlite3_get_autocommit(db_)) {
    in_gate_ = false;
    gate_->leave();
  }
}

void SqliteConnection::commit() {
  GateGuard guard{*this};
  execute_script("COMMIT");
}

void SqliteConnection::rollback() {
  GateGuard guard{*this};
  execute_script("ROLLBACK");
}

void SqliteConnection::savepoint(std::string_view name) {
  execute_script(fmt::format("SAVEPOINT {}", name));
}

void SqliteConnection::release(std::string_view name) {
  execute_script(fmt::format("RELEASE SAVEPOINT {}", name));
}

void SqliteConnection::rollback_to(std::string_view name) {
  execute_script(fmt::format("ROLLBACK TO SAVEPOINT {}", name));
}

TransactionStatus SqliteConnection::transaction_status() const noexcept {
  return sqlite3_get_autocommit(db_) ? TransactionStatus::idle : TransactionStatus::active;
}

}  // namespace strata::driver::sqlite
