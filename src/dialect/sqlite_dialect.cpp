#include <fmt/format.h>

#include "dialects.hpp"

namespace strata::detail {

// Declared names are chosen so that reflection reads back exactly the strata type; SQLite
// derives each column's affinity from them.
std::string SqliteDialect::type_sql(const Type& type) const {
  switch (type.kind()) {
    case TypeKind::boolean:
      return "BOOLEAN";
    case TypeKind::smallinteger:
      return "SMALLINT";
    case TypeKind::integer:
      return "INTEGER";
    case TypeKind::biginteger:
      return "BIGINT";
    case TypeKind::float32:
      return "FLOAT";
    case TypeKind::float64:
      return "DOUBLE PRECISION";
    case TypeKind::numeric:
      return fmt::format("NUMERIC({}, {})", type.precision(), type.scale());
    case TypeKind::string:
      return type.length() > 0 ? fmt::format("VARCHAR({})", type.length()) : "VARCHAR";
    case TypeKind::text:
      return "TEXT";
    case TypeKind::date:
      return "DATE";
    case TypeKind::time:
      return "TIME";
    case TypeKind::datetime:
      return "DATETIME";
    case TypeKind::datetime_tz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeKind::binary:
      return "BLOB";
    case TypeKind::json:
      return "JSON";
    case TypeKind::uuid:
      return "UUID";
    case TypeKind::other:
      return type.database_name();
  }
  return "TEXT";
}

// Booleans are stored as 0 and 1.
std::string SqliteDialect::literal(const Value& value, const Type& type) const {
  if (value.kind() == ValueKind::boolean) return value.as_bool() ? "1" : "0";
  return Dialect::literal(value, type);
}

// A column declared exactly INTEGER and alone in the primary key is an alias of the 64-bit
// rowid, which SQLite fills in: the autoincrementing key, whatever integer size was asked.
std::string SqliteDialect::autoincrement_column_sql(const Table& /*table*/, const Column& c) const {
  return quote(c.name) + " INTEGER NOT NULL";
}

// A lone INTEGER key would become the rowid, which SQLite fills in by itself; a key that must
// not autoincrement is declared INT, which reads back as the same integer type.
std::string SqliteDialect::column_sql(const Table& table, const Column& c) const {
  bool lone_key = table.primary_key && table.primary_key->columns.size() == 1 &&
                  table.primary_key->columns[0] == c.name;
  if (!lone_key || c.autoincrement || c.type.kind() != TypeKind::integer) {
    return Dialect::column_sql(table, c);
  }
  Column declared = c;
  declared.type = Type::other("INT");
  return Dialect::column_sql(table, declared);
}

std::string SqliteDialect::drop_index_sql(std::string_view /*table*/,
                                          std::string_view index) const {
  return "DROP INDEX " + quote(index);
}

}  // namespace strata::detail
