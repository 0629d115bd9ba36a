#include <fmt/format.h>

#include <array>

#include "sqlite_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::sqlite {
namespace {

struct CodeName {
  int code;
  const char* name;
};

// Extended codes first, so that the most specific name wins.
constexpr std::array kNames = {
    CodeName{SQLITE_CONSTRAINT_UNIQUE, "SQLITE_CONSTRAINT_UNIQUE"},
    CodeName{SQLITE_CONSTRAINT_PRIMARYKEY, "SQLITE_CONSTRAINT_PRIMARYKEY"},
    CodeName{SQLITE_CONSTRAINT_FOREIGNKEY, "SQLITE_CONSTRAINT_FOREIGNKEY"},
    CodeName{SQLITE_CONSTRAINT_NOTNULL, "SQLITE_CONSTRAINT_NOTNULL"},
    CodeName{SQLITE_CONSTRAINT_CHECK, "SQLITE_CONSTRAINT_CHECK"},
    CodeName{SQLITE_CONSTRAINT_TRIGGER, "SQLITE_CONSTRAINT_TRIGGER"},
    CodeName{SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY_SNAPSHOT"},
    CodeName{SQLITE_READONLY_DBMOVED, "SQLITE_READONLY_DBMOVED"},
    CodeName{SQLITE_CANTOPEN_ISDIR, "SQLITE_CANTOPEN_ISDIR"},
    CodeName{SQLITE_ERROR, "SQLITE_ERROR"},
    CodeName{SQLITE_INTERNAL, "SQLITE_INTERNAL"},
    CodeName{SQLITE_PERM, "SQLITE_PERM"},
    CodeName{SQLITE_ABORT, "SQLITE_ABORT"},
    CodeName{SQLITE_BUSY, "SQLITE_BUSY"},
    CodeName{SQLITE_LOCKED, "SQLITE_LOCKED"},
    CodeName{SQLITE_NOMEM, "SQLITE_NOMEM"},
    CodeName{SQLITE_READONLY, "SQLITE_READONLY"},
    CodeName{SQLITE_INTERRUPT, "SQLITE_INTERRUPT"},
    CodeName{SQLITE_IOERR, "SQLITE_IOERR"},
    CodeName{SQLITE_CORRUPT, "SQLITE_CORRUPT"},
    CodeName{SQLITE_FULL, "SQLITE_FULL"},
    CodeName{SQLITE_CANTOPEN, "SQLITE_CANTOPEN"},
    CodeName{SQLITE_PROTOCOL, "SQLITE_PROTOCOL"},
    CodeName{SQLITE_SCHEMA, "SQLITE_SCHEMA"},
    CodeName{SQLITE_TOOBIG, "SQLITE_TOOBIG"},
    CodeName{SQLITE_CONSTRAINT, "SQLITE_CONSTRAINT"},
    CodeName{SQLITE_MISMATCH, "SQLITE_MISMATCH"},
    CodeName{SQLITE_MISUSE, "SQLITE_MISUSE"},
    CodeName{SQLITE_NOLFS, "SQLITE_NOLFS"},
    CodeName{SQLITE_AUTH, "SQLITE_AUTH"},
    CodeName{SQLITE_RANGE, "SQLITE_RANGE"},
    CodeName{SQLITE_NOTADB, "SQLITE_NOTADB"},
};

std::string code_name(int rc) {
  for (const auto& entry : kNames) {
    if (entry.code == rc) return entry.name;
  }
  for (const auto& entry : kNames) {
    if (entry.code == (rc & 0xff)) return fmt::format("{}({})", entry.name, rc);
  }
  return fmt::format("SQLITE({})", rc);
}

// What the user can do about the most common failures.
std::string_view hint(int primary) {
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "; another connection holds the lock: keep write transactions short or raise "
             "busy_timeout in the URL";
    case SQLITE_NOTADB:
      return "; the file is not a SQLite database: check the path in the URL";
    case SQLITE_CANTOPEN:
      return "; check that the file's folder exists and is writable";
    case SQLITE_READONLY:
      return "; the database file or its folder is read-only";
    case SQLITE_FULL:
      return "; the disk is full";
    default:
      return "";
  }
}

}  // namespace

void throw_error(int rc, std::string message, std::string_view statement, const std::string& url) {
  int primary = rc & 0xff;
  message += hint(primary);
  DatabaseErrorInfo info{code_name(rc), "", rc, std::string(statement), url};
  switch (primary) {
    case SQLITE_CONSTRAINT:
      throw IntegrityError(message, std::move(info));
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_SCHEMA:
      throw ProgrammingError(message, std::move(info));
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      throw DataError(message, std::move(info));
    default:
      throw OperationalError(message, std::move(info));
  }
}

void throw_error(sqlite3* db, int rc, std::string_view statement, const std::string& url) {
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw_error(rc, std::move(message), statement, url);
}

}  // namespace strata::driver::sqlite
