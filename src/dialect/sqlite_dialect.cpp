#include <fmt/format.h>

#include "dialects.hpp"

namespace strata::detail {

// Declared names are chosen so that reflection reads back exactly the strata type; SQLite
// derives each column's affinity from them.
std::string_view SqliteDialect::type_name(TypeKind kind) const {
  switch (kind) {
    case TypeKind::float32:
      return "FLOAT";
    case TypeKind::datetime:
      return "DATETIME";
    default:
      return Dialect::type_name(kind);
  }
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
