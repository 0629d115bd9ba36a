#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "pg_driver.hpp"
#include "strata/core/error.hpp"

namespace strata::driver::postgres {
namespace {

// Type OIDs from pg_type.h, which is not part of libpq's public headers.
constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26;
constexpr Oid kFloat4 = 700, kFloat8 = 701;
constexpr Oid kJson = 114, kJsonb = 3802, kDate = 1082, kTime = 1083, kTimestamp = 1114;
constexpr Oid kTimestampTz = 1184, kUuid = 2950;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A NUL-terminated integer as PostgreSQL writes one: an optional '-', then digits. Anything
// else, or a value beyond 64 bits, is nullopt. (std::from_chars needs the end first.)
std::optional<std::int64_t> parse_integer(const char* p) {
  const bool negative = *p == '-';
  if (negative) ++p;
  const char* digits = p;
  std::uint64_t magnitude = 0;
  for (; *p >= '0' && *p <= '9'; ++p) {
    if (__builtin_mul_overflow(magnitude, std::uint64_t{10}, &magnitude) ||
        __builtin_add_overflow(magnitude, static_cast<std::uint64_t>(*p - '0'), &magnitude)) {
      return std::nullopt;
    }
  }
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (p == digits || *p != '\0' || magnitude > kMax + (negative ? 1 : 0)) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

}  // namespace

PgStatement::PgStatement(PGconn* conn, std::string name, std::string sql, const std::string& url,
                         std::uint64_t& round_trips)
    : conn_(conn),
      name_(std::move(name)),
      sql_(std::move(sql)),
      url_(url),
      round_trips_(round_trips) {
  // libpq gives "" for NULL, and get_int and get_double read that as 0.
  null_reads_empty_ = true;
}

namespace {
bool holds_nul(const ValueRef& p) {
  return (p.kind() == ValueKind::text || p.kind() == ValueKind::json) &&
         p.as_text().find('\0') != std::string_view::npos;
}
}  // namespace

void PgStatement::check(std::span<const ValueRef> params) const {
  for (const auto& p : params) {
    if (holds_nul(p)) nul_in_text();
  }
}

// Sent as text, it would be cut at the NUL without a word; PostgreSQL text cannot hold NUL
// anyway.
namespace {
[[noreturn]] void throw_nul_in_text(const std::string& sql, const std::string& url) {
  throw DataError(
      "text holds a NUL character, which PostgreSQL text cannot store; send "
      "binary data as a Blob",
      {"22021", "22021", 0, sql, url});
}
}  // namespace

void PgStatement::nul_in_text() const {
  throw_nul_in_text(sql_, url_);
}

int append_parameter(std::string& out, const ValueRef& p, const std::string& sql,
                     const std::string& url) {
  char text[kMaxTemporalText];
  switch (p.kind()) {
    case ValueKind::null:
      return 0;
    case ValueKind::integer:
      out.append(text, std::to_chars(text, text + sizeof text, p.as_int()).ptr);
      return 0;
    case ValueKind::real:
      out.append(text, std::to_chars(text, text + sizeof text, p.as_double()).ptr);
      return 0;
    case ValueKind::boolean:
      out += p.as_bool() ? "true" : "false";
      return 0;
    case ValueKind::text:
    case ValueKind::json:
      if (holds_nul(p)) throw_nul_in_text(sql, url);
      out.append(p.as_text());
      return 0;
    case ValueKind::blob:
      out.append(reinterpret_cast<const char*>(p.as_blob().data()), p.as_blob().size());
      return 1;
    case ValueKind::date:
    case ValueKind::time:
    case ValueKind::datetime:
    case ValueKind::timestamp:
    case ValueKind::uuid:
      out.append(text, p.format(text));
      return 0;
  }
  return 0;
}

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
    offsets_.push_back(buffer_.size());
    formats_[i] = append_parameter(buffer_, params[i], sql_, url_);
    lengths_[i] = static_cast<int>(buffer_.size() - offsets_[i]);
    buffer_ += '\0';  // libpq reads text parameters up to their terminator
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!params[i].is_null()) values_[i] = buffer_.data() + offsets_[i];
  }
}

// A statement's first run sends its text with the parameters: one round trip, where preparing
// first would take two. Only a statement that runs again is prepared, as JDBC's
// prepareThreshold and psycopg's prepare_threshold do, so one-off queries cost the server
// no named statement and the connection no round trip.
PGresult* PgStatement::send(int n) {
  ++round_trips_;
  if (name_.empty() || !std::exchange(ran_, true)) {
    return libpq().PQexecParams(conn_, sql_.c_str(), n, nullptr, values_.data(), lengths_.data(),
                                formats_.data(), 0);
  }
  if (!prepared_) {
    ++round_trips_;
    ResultPtr made(libpq().PQprepare(conn_, name_.c_str(), sql_.c_str(), 0, nullptr));
    if (libpq().PQresultStatus(made.get()) != PGRES_COMMAND_OK) {
      throw_error(conn_, made.get(), sql_, url_);
    }
    prepared_ = true;
  }
  return libpq().PQexecPrepared(conn_, name_.c_str(), n, values_.data(), lengths_.data(),
                                formats_.data(), 0);
}

void PgStatement::execute(std::span<const ValueRef> params) {
  reset();
  changes_ = 0;
  bind(params);
  ResultPtr result(send(static_cast<int>(params.size())));
  auto status = libpq().PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw_error(conn_, result.get(), sql_, url_);
  }
  accept(std::move(result));
}

void PgStatement::accept(ResultPtr result) noexcept {
  reset();
  result_ = std::move(result);
  rows_ = libpq().PQntuples(result_.get());
  columns_ = libpq().PQnfields(result_.get());
  changes_ = rows_changed(result_.get());
}

// Rows a query returns are not rows it changed: only writes count.
std::int64_t rows_changed(const PGresult* result) noexcept {
  if (std::string_view(libpq().PQcmdStatus(const_cast<PGresult*>(result))).starts_with("SELECT")) {
    return 0;
  }
  const char* affected = libpq().PQcmdTuples(const_cast<PGresult*>(result));
  std::int64_t changes = 0;
  std::from_chars(affected, affected + std::char_traits<char>::length(affected), changes);
  return changes;
}

void PgStatement::reset() noexcept {
  result_.reset();
  row_ = rows_ = columns_ = 0;
  typed_ = false;
}

bool PgStatement::is_bool(int column) const {
  if (column >= 64) return libpq().PQftype(result_.get(), column) == kBool;
  if (!typed_) {
    bools_ = 0;
    for (int c = 0; c < std::min(columns_, 64); ++c) {
      if (libpq().PQftype(result_.get(), c) == kBool) bools_ |= std::uint64_t{1} << c;
    }
    typed_ = true;
  }
  return (bools_ >> column) & 1;
}

std::string_view PgStatement::column_name(int column) const {
  const char* name = libpq().PQfname(result_.get(), column);
  return name ? name : "";
}

ValueKind PgStatement::column_kind(int column) const {
  switch (libpq().PQftype(result_.get(), column)) {
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
    case kDate:
      return ValueKind::date;
    case kTime:
      return ValueKind::time;
    case kTimestamp:
      return ValueKind::datetime;
    case kTimestampTz:
      return ValueKind::timestamp;
    case kUuid:
      return ValueKind::uuid;
    case kJson:
    case kJsonb:
      return ValueKind::json;
    default:
      return ValueKind::text;  // numeric stays text, so that no digit is lost
  }
}

bool PgStatement::is_null(int column) const {
  return libpq().PQgetisnull(result_.get(), row_, column);
}

std::string_view PgStatement::get_text(int column) const {
  return {libpq().PQgetvalue(result_.get(), row_, column),
          static_cast<std::size_t>(libpq().PQgetlength(result_.get(), row_, column))};
}

void PgStatement::bad_value(int column, std::string_view wanted) const {
  throw DataError(fmt::format("column {} ('{}') holds '{}', which is not {}", column,
                              column_name(column), get_text(column), wanted),
                  {"22P02", "22P02", 0, sql_, url_});
}

// libpq ends every text value with a NUL, so reading a number needs no PQgetlength.
std::int64_t PgStatement::get_int(int column) const {
  const char* text = libpq().PQgetvalue(result_.get(), row_, column);
  if (is_bool(column)) return text[0] == 't' ? 1 : 0;
  auto value = parse_integer(text);
  if (value) return *value;
  if (text[0] == '\0' && is_null(column)) return 0;
  bad_value(column, "an integer");
}

double PgStatement::get_double(int column) const {
  const char* text = libpq().PQgetvalue(result_.get(), row_, column);
  const char* end = text + std::char_traits<char>::length(text);
  double value = 0;
  auto [stop, ec] = std::from_chars(text, end, value);
  if (ec == std::errc{} && stop == end) return value;
  if (end == text && is_null(column)) return 0;
  bad_value(column, "a number");
}

bool PgStatement::get_bool(int column) const {
  if (is_bool(column)) return libpq().PQgetvalue(result_.get(), row_, column)[0] == 't';
  return get_int(column) != 0;
}

Blob PgStatement::get_blob(int column) const {
  std::string_view text = get_text(column);
  if (libpq().PQftype(result_.get(), column) != kBytea) return Blob(text);
  // Only a server behind a transaction pooler keeps its own bytea_output: see connection_settings.
  if (!text.starts_with("\\x")) bad_value(column, "bytea in hex format (bytea_output = 'hex')");
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
