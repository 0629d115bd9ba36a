// The one error model of strata: every failure is an exception derived from strata::Error.
// Database errors carry the backend's code (SQLite extended code name or PostgreSQL SQLSTATE),
// the statement involved, and the URL with its password masked, so that a single line in a
// log says what failed, where, and what to do next.
#pragma once

#include <stdexcept>
#include <string>

namespace strata {

// Base of all strata errors. Immutable after construction; safe to share between threads.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad URL, strata.toml, option or environment value. The message names the bad part.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// The API was used wrongly: a statement without a needed clause, an unmapped member, a value
// of the wrong kind, a call out of order. Raised before anything reaches a database, so it is
// no DatabaseError: code that handles database failures (retry, report) never catches it.
class UsageError : public Error {
 public:
  using Error::Error;
};

// A query that must give exactly one row (Query::one(), Result::one()) gave none.
class NoResultFound : public Error {
 public:
  using Error::Error;
};

// A query that must give exactly one row gave more than one.
class MultipleResultsFound : public Error {
 public:
  using Error::Error;
};

// What a database error knows besides its message.
struct DatabaseErrorInfo {
  std::string code;       // "SQLITE_CONSTRAINT_UNIQUE", or the SQLSTATE on PostgreSQL
  std::string sqlstate;   // five characters on PostgreSQL; empty on SQLite
  int native_code = 0;    // the SQLite extended result code; 0 on PostgreSQL
  std::string statement;  // the SQL text that failed, when there was one
  std::string url;        // the database URL, password masked
};

// A failure reported by the database or its driver. what() is one line holding the message,
// the code, the statement and the masked URL.
class DatabaseError : public Error {
 public:
  DatabaseError(const std::string& message, DatabaseErrorInfo info);

  const std::string& message() const noexcept { return message_; }
  const std::string& code() const noexcept { return info_.code; }
  const std::string& sqlstate() const noexcept { return info_.sqlstate; }
  int native_code() const noexcept { return info_.native_code; }
  const std::string& statement() const noexcept { return info_.statement; }
  const std::string& url() const noexcept { return info_.url; }

 private:
  std::string message_;
  DatabaseErrorInfo info_;
};

// A constraint was violated: unique, foreign key, not null, check.
class IntegrityError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

// The database could not do the work: unreachable, locked, busy, I/O, pool exhausted.
class OperationalError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

// The statement or its use is wrong: syntax, unknown table or column, wrong parameter count.
class ProgrammingError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

// A value did not fit: out of range, invalid text for the column's type, division by zero.
class DataError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

// An ORM UPDATE or DELETE matched no row: another transaction changed the row's version column
// or deleted the row since it was loaded. A DatabaseError, so that code handling database
// failures sees it; the session has rolled back. Load the row again and retry the change.
class StaleDataError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

// A migration cannot proceed: unknown revision, several heads, a cycle, a changed checksum.
class MigrationError : public Error {
 public:
  using Error::Error;
};

}  // namespace strata
