// Connection::copy_in. The engine names the target and checks each row's width; the driver's
// bulk protocol (PostgreSQL's COPY) carries the rows where it has one, and a prepared INSERT per
// row, all in one transaction or savepoint, where it has none.
#include <fmt/format.h>

#include "../core/sql_text.hpp"
#include "../core/usage_error.hpp"
#include "../driver/all_or_nothing.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"
#include "strata/engine/connection.hpp"

namespace strata {
namespace {

// "name" or "schema.name", each part quoted.
std::string quote_table(std::string_view table) {
  if (table.empty() || table.front() == '.' || table.back() == '.') {
    throw UsageError(fmt::format("copy_in() needs a table name, \"{}\" is none", table));
  }
  auto dot = table.find('.');
  if (dot == std::string_view::npos) return detail::quote_identifier(table);
  return detail::quote_identifier(table.substr(0, dot)) + "." +
         detail::quote_identifier(table.substr(dot + 1));
}

std::vector<std::string> quote_columns(std::string_view table,
                                       std::span<const std::string_view> columns) {
  if (columns.empty()) {
    throw UsageError(fmt::format("copy_in() into {} was given no columns", table));
  }
  std::vector<std::string> quoted;
  quoted.reserve(columns.size());
  for (auto column : columns) quoted.push_back(detail::quote_identifier(column));
  return quoted;
}

[[noreturn]] void throw_bad_row(std::string_view table, std::size_t index, std::size_t values,
                                std::size_t columns) {
  throw UsageError(fmt::format("copy_in() into {}: row {} has {} values for {} columns", table,
                               index, values, columns));
}

// The INSERT the fallback prepares: the driver's own placeholders, as execute_native takes.
std::string insert_sql(const driver::Connection& conn, const std::string& table,
                       std::span<const std::string> columns) {
  std::string values;
  for (std::size_t i = 1; i <= columns.size(); ++i) {
    values += fmt::format("{}{}{}", i > 1 ? ", " : "", conn.placeholder_prefix(), i);
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", table, fmt::join(columns, ", "), values);
}

std::int64_t insert_each(driver::Statement& stmt, const driver::Connection::CopyRowSource& next) {
  std::int64_t copied = 0;
  std::vector<ValueRef> row;
  while ((row.clear(), next(row))) {
    stmt.execute(row);
    copied += stmt.rows_affected();
    stmt.reset();
  }
  return copied;
}

// Without a bulk protocol: a prepared INSERT per row, all or nothing.
std::int64_t insert_rows(driver::Connection& conn, const std::string& table,
                         std::span<const std::string> columns,
                         const driver::Connection::CopyRowSource& next) {
  auto stmt = conn.prepare(insert_sql(conn, table, columns), false);
  return driver::all_or_nothing(conn, "strata_copy", [&] { return insert_each(*stmt, next); });
}

}  // namespace

std::int64_t Connection::copy_in(std::string_view table, std::span<const std::string_view> columns,
                                 std::span<const std::vector<Value>> rows) {
  checked();
  if (rows.empty()) {
    // Nothing to send and no transaction to open, but a wrong call is still one.
    quote_table(table);
    quote_columns(table, columns);
    return 0;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != columns.size()) throw_bad_row(table, i, rows[i].size(), columns.size());
  }
  std::size_t next = 0;
  return copy_in(table, columns, [&](std::vector<ValueRef>& row) {
    if (next == rows.size()) return false;
    const auto& values = rows[next++];
    row.assign(values.begin(), values.end());
    return true;
  });
}

std::int64_t Connection::copy_in(std::string_view table, std::span<const std::string_view> columns,
                                 const CopyRowSource& next) {
  auto& conn = *checked().conn;
  const std::string target = quote_table(table);
  const auto quoted = quote_columns(table, columns);
  std::size_t index = 0;
  auto checked_rows = [&](std::vector<ValueRef>& row) {
    if (!next(row)) return false;
    if (row.size() != columns.size()) throw_bad_row(table, index, row.size(), columns.size());
    ++index;
    return true;
  };
  if (auto copied = conn.copy_in(target, quoted, checked_rows)) return *copied;
  return insert_rows(conn, target, quoted, checked_rows);
}

}  // namespace strata
