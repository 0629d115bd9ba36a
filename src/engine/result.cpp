#include "strata/engine/result.hpp"

#include <fmt/format.h>

#include "../core/usage_error.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace detail {

void throw_null_column(const driver::Statement& stmt, int column) {
  throw usage_error(fmt::format("column {} ('{}') is NULL; read it as std::optional", column,
                                stmt.column_name(column)),
                    stmt.sql());
}

void throw_out_of_range(const driver::Statement& stmt, int column, std::int64_t value,
                        std::string_view type) {
  throw DataError(fmt::format("column {} ('{}') holds {}, which does not fit the {} it is read "
                              "into; read it into a wider type",
                              column, stmt.column_name(column), value, type),
                  {"", "", 0, stmt.sql(), ""});
}

void throw_no_row(const driver::Statement& stmt) {
  throw usage_error("the result has no current row; check empty() first", stmt.sql());
}

int column_index(const driver::Statement& stmt, std::string_view name) {
  std::string names;
  for (int i = 0; i < stmt.column_count(); ++i) {
    if (stmt.column_name(i) == name) return i;
    names += (i ? ", " : "") + std::string(stmt.column_name(i));
  }
  throw usage_error(fmt::format("no column '{}' in the result (columns: {})", name, names),
                    stmt.sql());
}

Value read_value(const driver::Statement& stmt, int column) {
  if (stmt.is_null(column)) return Value();
  switch (stmt.column_kind(column)) {
    case ValueKind::integer:
      return Value(stmt.get_int(column));
    case ValueKind::real:
      return Value(stmt.get_double(column));
    case ValueKind::boolean:
      return Value(stmt.get_bool(column));
    case ValueKind::blob:
      return Value(stmt.get_blob(column));
    case ValueKind::date:
      return Value(parse_date(stmt.get_text(column)));
    case ValueKind::time:
      return Value(parse_time(stmt.get_text(column)));
    case ValueKind::datetime:
      return Value(parse_datetime(stmt.get_text(column)));
    case ValueKind::timestamp:
      return Value(parse_timestamp(stmt.get_text(column)));
    case ValueKind::uuid:
      return Value(Uuid::parse(stmt.get_text(column)));
    case ValueKind::json:
      return Value(Json{std::string(stmt.get_text(column))});
    default:
      return Value(stmt.get_text(column));
  }
}

}  // namespace detail

// Inline in the destructor, so that ending a Result puts one frame less on the stack while
// the driver's reset makes its system calls (see Connection::run).
[[gnu::always_inline]] inline void Result::release() noexcept {
  if (!stmt_) return;
  stmt_->reset();
  if (entry_) entry_->busy = false;
  owned_.reset();
  stmt_ = nullptr;
  conn_.reset();
}

Result::Result(Result&& other) noexcept
    : conn_(std::move(other.conn_)),
      stmt_(other.stmt_),
      entry_(other.entry_),
      owned_(std::move(other.owned_)) {
  other.stmt_ = nullptr;
  other.entry_ = nullptr;
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    release();
    conn_ = std::move(other.conn_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    entry_ = std::exchange(other.entry_, nullptr);
    owned_ = std::move(other.owned_);
  }
  return *this;
}

Result::~Result() {
  release();
}

}  // namespace strata
