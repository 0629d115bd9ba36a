#include <fmt/format.h>

#include <charconv>

#include "pg_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::postgres {
namespace {

// Type OIDs from pg_type.h, which is not part of libpq's public headers.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26;
constexpr Oid kFloat4 = 700, kFloat8 = 701;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

PgStatement::PgStatement(PGconn* conn, std::string name, std::string sql, const std::string& url)
    : conn_(conn), name_(std::move(name)), sql_(std::move(sql)), url_(url) {}

void PgStatement::bind(std::span<const ValueRef> params) {
  buffer_.clear();
  offsets_.clear();
  formats_.assign(params.size(), 0);
  lengths_.assign(params.size(), 0);
  values_.assign(params.size(), nullptr);
  // Values are written into one buffer first and pointed into afterwards, since the buffer
  // may move while it grows. Text containing NUL cannot be sent as text: PostgreSQL rejects
  // NUL in text values anyway.
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ValueRef& p = params[i];
    offsets_.push_back(buffer_.size());
    char digits[32];
    switch (p.kind()) {
      case ValueKind::null:
        break;
      case ValueKind::integer: {
        auto end = std::to_chars(digits, digits + sizeof digits, p.as_int()).ptr;
        buffer_.append(digits, end);
        break;
      }
      case ValueKind::real: {
        auto end = std::to_chars(digits, digits + sizeof digits, p.as_double()).ptr;
        buffer_.append(digits, end);
        break;
      }
      case ValueKind::boolean:
        buffer_ += p.as_bool() ? "true" : "false";
        break;
      case ValueKind::text:
        buffer_.append(p.as_text());
        break;
      case ValueKind::blob:
        buffer_.append(reinterpret_cast<const char*>(p.as_blob().data()), p.as_blob().size());
        formats_[i] = 1;
        break;
    }
    lengths_[i] = static_cast<int>(buffer_.size() - offsets_[i]);
    buffer_ += '\0';  // libpq reads text parameters up to their terminator
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!params[i].is_null()) values_[i] = buffer_.data() + offsets_[i];
  }
}

void PgStatement::execute(std::span<const ValueRef> params) {
  bind(params);
  int n = static_cast<int>(params.size());
  PGresult* raw = name_.empty() ? PQexecParams(conn_, sql_.c_str(), n, nullptr, values_.data(),
                                               lengths_.data(), formats_.data(), 0)
                                : PQexecPrepared(conn_, name_.c_str(), n, values_.data(),
                                                 lengths_.data(), formats_.data(), 0);
  result_.reset(raw);
  row_ = 0;
  auto status = PQresultStatus(raw);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    rows_ = columns_ = 0;
    changes_ = 0;
    throw_error(conn_, raw, sql_, url_);
  }
  rows_ = PQntuples(raw);
  columns_ = PQnfields(raw);
  const char* affected = PQcmdTuples(raw);
  changes_ = 0;
  std::from_chars(affected, affected + std::char_traits<char>::length(affected), changes_);
}

void PgStatement::reset() noexcept {
  result_.reset();
  row_ = rows_ = columns_ = 0;
}

std::string_view PgStatement::column_name(int column) const {
  const char* name = PQfname(result_.get(), column);
  return name ? name : "";
}

ValueKind PgStatement::column_kind(int column) const {
  switch (PQftype(result_.get(), column)) {
    case kBool:
      return ValueKind::boolean;
    case kBytea:
      return ValueKind::blob;
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
      return ValueKind::integer;
    case kFloat4:
    case kFloat8:
      return ValueKind::real;
    default:
      return ValueKind::text;  // numeric stays text, so that no digit is lost
  }
}

bool PgStatement::is_null(int column) const {
  return PQgetisnull(result_.get(), row_, column);
}

std::string_view PgStatement::get_text(int column) const {
  return {PQgetvalue(result_.get(), row_, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))};
}

void PgStatement::bad_value(int column, std::string_view wanted) const {
  throw DataError(fmt::format("column {} ('{}') holds '{}', which is not {}", column,
                              column_name(column), get_text(column), wanted),
                  {"22P02", "22P02", 0, sql_, url_});
}

std::int64_t PgStatement::get_int(int column) const {
  std::string_view text = get_text(column);
  if (PQftype(result_.get(), column) == kBool) return text == "t" ? 1 : 0;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) bad_value(column, "an integer");
  return value;
}

double PgStatement::get_double(int column) const {
  std::string_view text = get_text(column);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) bad_value(column, "a number");
  return value;
}

bool PgStatement::get_bool(int column) const {
  if (PQftype(result_.get(), column) == kBool) return get_text(column) == "t";
  return get_int(column) != 0;
}

Blob PgStatement::get_blob(int column) const {
  std::string_view text = get_text(column);
  if (PQftype(result_.get(), column) != kBytea) return Blob(text);
  if (!text.starts_with("\\x")) bad_value(column, "bytea in hex format");
  std::vector<std::byte> bytes;
  bytes.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
    int hi = hex_digit(text[i]);
    int lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) bad_value(column, "bytea in hex format");
    bytes.push_back(static_cast<std::byte>(hi * 16 + lo));
  }
  return Blob(std::move(bytes));
}

}  // namespace strata::driver::postgres
