// PostgreSQL's COPY ... FROM STDIN in text format: rows are encoded into chunks and streamed
// after one round trip that starts the COPY; one more ends it. The COPY is one statement, so
// it copies every row or none.
#include <fmt/format.h>

#include "pg_driver.hpp"

namespace strata::driver::postgres {
namespace {

// Large enough that libpq's per-call cost vanishes, small enough not to hold much in memory.
constexpr std::size_t kChunk = 64 * 1024;

// COPY's text format gives backslash, tab, newline and carriage return a meaning of their own;
// the text between them is copied in runs.
void append_escaped(std::string& out, std::string_view text) {
  constexpr std::string_view kSpecial = "\\\t\n\r";
  constexpr std::string_view kLetter = "\\tnr";
  for (auto at = text.find_first_of(kSpecial); at != std::string_view::npos;
       at = text.find_first_of(kSpecial)) {
    out.append(text.substr(0, at));
    out += '\\';
    out += kLetter[kSpecial.find(text[at])];
    text.remove_prefix(at + 1);
  }
  out.append(text);
}

// bytea's hex input (\x...), its backslash escaped for COPY.
void append_bytea(std::string& out, std::span<const std::byte> bytes) {
  constexpr char kDigits[] = "0123456789abcdef";
  out += "\\\\x";
  for (std::byte b : bytes) {
    auto v = static_cast<unsigned>(b);
    out += kDigits[v >> 4];
    out += kDigits[v & 15];
  }
}

// `value` as COPY's text format reads it; `scratch` is reused between calls.
void append_field(std::string& out, const ValueRef& value, std::string& scratch,
                  const std::string& sql, const std::string& url) {
  if (value.is_null()) {
    out += "\\N";  // an empty string stays empty: only \N is NULL
  } else if (value.kind() == ValueKind::blob) {
    append_bytea(out, value.as_blob());
  } else {
    scratch.clear();
    append_parameter(scratch, value, sql, url);
    append_escaped(out, scratch);
  }
}

}  // namespace

std::optional<std::int64_t> PgConnection::copy_in(std::string_view table,
                                                  std::span<const std::string> columns,
                                                  const CopyRowSource& next) {
  const std::string sql = fmt::format("COPY {} ({}) FROM STDIN", table, fmt::join(columns, ", "));
  std::string data;
  std::string scratch;
  std::vector<ValueRef> row;
  bool more = true;
  auto fill = [&] {
    while (data.size() < kChunk && (row.clear(), more = next(row))) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) data += '\t';
        append_field(data, row[i], scratch, sql, url_);
      }
      data += '\n';
    }
  };
  // The first chunk is encoded before the COPY starts: a bad row in it sends nothing.
  fill();
  start_copy(sql);
  try {
    send_copy_data(data, sql);
    while (more) {
      fill();
      send_copy_data(data, sql);
    }
  } catch (...) {
    // The server undoes the COPY; the row's own error is the one to report.
    finish_copy("strata: the copy was abandoned", sql);
    throw;
  }
  return finish_copy(nullptr, sql);
}

void PgConnection::start_copy(const std::string& sql) {
  ++round_trips_;
  ResultPtr result(libpq().PQexec(conn_, sql.c_str()));
  if (libpq().PQresultStatus(result.get()) != PGRES_COPY_IN) {
    throw_error(conn_, result.get(), sql, url_);
  }
}

// libpq buffers the data and writes it when its buffer fills: no round trip.
void PgConnection::send_copy_data(std::string& data, const std::string& sql) {
  if (data.empty()) return;
  if (libpq().PQputCopyData(conn_, data.data(), static_cast<int>(data.size())) != 1) {
    throw_error(conn_, nullptr, sql, url_);
  }
  data.clear();
}

// Ends the COPY, or abandons it with `abort_reason`, and reads the server's answer: the rows
// copied, or (unless abandoning) the DatabaseError of the row that failed.
std::int64_t PgConnection::finish_copy(const char* abort_reason, const std::string& sql) {
  ++round_trips_;
  bool ended = libpq().PQputCopyEnd(conn_, abort_reason) == 1;
  ResultPtr first(libpq().PQgetResult(conn_));
  while (ResultPtr more{libpq().PQgetResult(conn_)}) {
  }
  if (abort_reason) return 0;
  if (!ended || libpq().PQresultStatus(first.get()) != PGRES_COMMAND_OK) {
    throw_error(conn_, first.get(), sql, url_);
  }
  return rows_changed(first.get());
}

}  // namespace strata::driver::postgres
