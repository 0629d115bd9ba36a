#include <fmt/format.h>

#include "sqlite_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::sqlite {

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, std::string sql,
                                 const std::string& url)
    : db_(db),
      stmt_(stmt),
      sql_(std::move(sql)),
      url_(url),
      param_count_(sqlite3_bind_parameter_count(stmt)),
      returns_rows_(sqlite3_column_count(stmt) > 0) {
  null_reads_empty_ = true;
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(stmt_);
}

void SqliteStatement::bind(std::span<const ValueRef> params) {
  const int expected = param_count_;
  if (static_cast<int>(params.size()) != expected) {
    throw ProgrammingError(
        fmt::format("statement takes {} parameters, {} given", expected, params.size()),
        {"SQLITE_RANGE", "", SQLITE_RANGE, sql_, url_});
  }
  // A statement without result columns finishes inside execute(), while the caller's values
  // are alive; a query reads its parameters again on later steps, so SQLite must copy them.
  auto lifetime = returns_rows_ ? SQLITE_TRANSIENT : SQLITE_STATIC;
  for (int i = 0; i < expected; ++i) {
    const ValueRef& p = params[static_cast<std::size_t>(i)];
    int rc = SQLITE_OK;
    switch (p.kind()) {
      case ValueKind::null:
        rc = sqlite3_bind_null(stmt_, i + 1);
        break;
      case ValueKind::integer:
      case ValueKind::boolean:
        rc = sqlite3_bind_int64(stmt_, i + 1, p.as_int());
        break;
      case ValueKind::real:
        rc = sqlite3_bind_double(stmt_, i + 1, p.as_double());
        break;
      case ValueKind::date:
      case ValueKind::time:
      case ValueKind::datetime:
      case ValueKind::timestamp:
      case ValueKind::uuid: {
        char text[kMaxTemporalText];
        rc = sqlite3_bind_text64(stmt_, i + 1, text, p.format(text), SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
      }
      case ValueKind::json:
      case ValueKind::text:
        // A null data pointer would bind NULL: empty text is bound from a literal "".
        rc = sqlite3_bind_text64(stmt_, i + 1, p.as_text().empty() ? "" : p.as_text().data(),
                                 p.as_text().size(), lifetime, SQLITE_UTF8);
        break;
      case ValueKind::blob:
        // A null data pointer would bind NULL: an empty blob is bound as a zero-length blob.
        rc = p.as_blob().empty() ? sqlite3_bind_zeroblob(stmt_, i + 1, 0)
                                 : sqlite3_bind_blob64(stmt_, i + 1, p.as_blob().data(),
                                                       p.as_blob().size(), lifetime);
        break;
    }
    if (rc != SQLITE_OK) throw_error(db_, rc, sql_, url_);
  }
}

// Inline in its callers, so that no frame of its own is on the stack while sqlite3_step makes
// system calls (see Connection::run), and so that a loop of writes touches no more code lines
// than it must beside SQLite's. An error is failed()'s, out of line.
[[gnu::always_inline]] inline bool SqliteStatement::step() {
  at_start_ = false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return has_row_ = true;
  has_row_ = false;
  if (rc != SQLITE_DONE) failed(rc);
  // sqlite3_changes() keeps the count of the last write even after a statement that wrote
  // nothing (DDL, SELECT); the running total says whether this one wrote, and changes() then
  // gives its own rows, cascades excluded.
  changes_ = sqlite3_total_changes64(db_) == changes_before_ ? 0 : sqlite3_changes64(db_);
  return false;
}

[[gnu::always_inline]] inline void SqliteStatement::rewind() noexcept {
  sqlite3_reset(stmt_);
  at_start_ = true;
}

void SqliteStatement::failed(int rc) {
  std::string message = sqlite3_errmsg(db_);
  rewind();
  throw_error(rc, std::move(message), sql_, url_);
}

void SqliteStatement::execute(std::span<const ValueRef> params) {
  bind(params);
  changes_ = 0;
  changes_before_ = sqlite3_total_changes64(db_);
  // A finished statement is reset at once, so that it holds no read lock while cached.
  if (!step()) rewind();
}

bool SqliteStatement::advance() {
  if (!has_row_) return false;
  if (step()) return true;
  rewind();
  return false;
}

// A statement that finished was reset then: the Result that ends it costs no second reset.
void SqliteStatement::reset() noexcept {
  has_row_ = false;
  if (!at_start_) rewind();
}

std::string_view SqliteStatement::column_name(int column) const {
  const char* name = sqlite3_column_name(stmt_, column);
  return name ? name : "";
}

ValueKind SqliteStatement::column_kind(int column) const {
  switch (sqlite3_column_type(stmt_, column)) {
    case SQLITE_INTEGER:
      return ValueKind::integer;
    case SQLITE_FLOAT:
      return ValueKind::real;
    case SQLITE_TEXT:
      return ValueKind::text;
    case SQLITE_BLOB:
      return ValueKind::blob;
    default:
      return ValueKind::null;
  }
}

bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::get_int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::get_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

bool SqliteStatement::get_bool(int column) const {
  return sqlite3_column_int64(stmt_, column) != 0;
}

std::string_view SqliteStatement::get_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string_view(text, static_cast<std::size_t>(size)) : std::string_view();
}

Blob SqliteStatement::get_blob(int column) const {
  const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, column));
  int size = sqlite3_column_bytes(stmt_, column);
  if (!data) return Blob();
  return Blob(std::vector<std::byte>(data, data + size));
}

}  // namespace strata::driver::sqlite
