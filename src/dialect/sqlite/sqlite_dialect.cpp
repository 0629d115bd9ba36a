#include "sqlite_dialect.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>

namespace strata::detail {

bool SqliteDialect::update_from_values() const noexcept {
  return sqlite3_libversion_number() >= 3033000;
}

// Declared names are chosen so that reflection reads back exactly the strata type; SQLite
// derives each column's affinity from them.
std::string_view SqliteDialect::type_name(TypeKind kind) const {
  // Only the names that differ from the standard ones: the base class's switch names every kind.
  if (kind == TypeKind::float32) return "FLOAT";
  if (kind == TypeKind::datetime) return "DATETIME";
  return Dialect::type_name(kind);
}

// Booleans are stored as 0 and 1.
std::string SqliteDialect::literal(const Value& value, const Type& type) const {
  if (value.kind() == ValueKind::boolean) return value.as_bool() ? "1" : "0";
  return Dialect::literal(value, type);
}

namespace {

// SQLite's column affinity of a declared type name (section 3.1 of "Datatypes In SQLite").
char affinity(std::string declared) {
  for (char& c : declared) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto has = [&](std::string_view part) { return declared.find(part) != std::string::npos; };
  if (has("INT")) return 'i';
  if (has("CHAR") || has("CLOB") || has("TEXT")) return 't';
  if (has("BLOB") || declared.empty()) return 'b';
  if (has("REAL") || has("FLOA") || has("DOUB")) return 'r';
  return 'n';
}

}  // namespace

// A hand-written table may declare types strata does not know (CHARACTER(20), DECIMAL);
// SQLite stores by affinity, so such a column matches any model type of the same affinity.
bool SqliteDialect::same_type(const Type& model, const Type& reflected) const {
  if (model == reflected) return true;
  // SQLite keeps no precision: a bare NUMERIC stores what NUMERIC(p, s) does.
  if (model.kind() == TypeKind::numeric && reflected.kind() == TypeKind::numeric &&
      (model.precision() == 0 || reflected.precision() == 0)) {
    return true;
  }
  if (model.kind() != TypeKind::other && reflected.kind() != TypeKind::other) return false;
  return affinity(type_sql(model)) == affinity(type_sql(reflected));
}

namespace {

bool lone_key(const Table& table, const Column& c) {
  return table.primary_key && table.primary_key->columns.size() == 1 &&
         table.primary_key->columns[0] == c.name;
}

}  // namespace

// A column declared exactly INTEGER and alone in the primary key is an alias of the 64-bit
// rowid, which SQLite fills in: the autoincrementing key, whatever integer size was asked.
// Nothing else can autoincrement (a key widened to two columns, or dropped): such a column is
// declared as its own type, which reflection reads back.
std::string SqliteDialect::autoincrement_column_sql(const Table& table, const Column& c) const {
  if (lone_key(table, c)) return quote(c.name) + " INTEGER NOT NULL";
  Column plain = c;
  plain.autoincrement = false;
  return Dialect::column_sql(table, plain);
}

// The key column read back by rowid: it is the rowid only where declared exactly INTEGER
// PRIMARY KEY. Another key (BIGINT PRIMARY KEY, made before strata) keeps the NULL an INSERT
// leaves in it, so the value read differs from the rowid, and the ORM refuses the flush.
std::string SqliteDialect::last_insert_id_sql(std::string_view table, std::string_view key) const {
  return fmt::format("SELECT last_insert_rowid(), {} FROM {} WHERE rowid = last_insert_rowid()",
                     key, table);
}

// A lone INTEGER key would become the rowid, which SQLite fills in by itself; a key that must
// not autoincrement is declared INT, which reads back as the same integer type.
std::string SqliteDialect::column_sql(const Table& table, const Column& c) const {
  if (!lone_key(table, c) || c.autoincrement || c.type.kind() != TypeKind::integer) {
    return Dialect::column_sql(table, c);
  }
  Column declared = c;
  declared.type = Type::other("INT");
  return Dialect::column_sql(table, declared);
}

// SQLite's ADD COLUMN cannot add a NOT NULL column without a default, nor a default that is
// the current time or an expression, nor a STORED generated column (a VIRTUAL one it can).
bool SqliteDialect::can_add_column(const Column& column) const {
  if (column.autoincrement) return false;
  if (column.generated_by_expression()) return !column.generated->stored;
  if (!column.server_default) return column.nullable;
  return column.server_default->kind == ServerDefault::Kind::literal;
}

// DROP COLUMN refuses a column that a key, an index, a foreign key or a check uses.
bool SqliteDialect::can_drop_column(const Table& table, std::string_view column) const {
  auto uses = [&](const std::vector<std::string>& columns) {
    return std::find(columns.begin(), columns.end(), column) != columns.end();
  };
  if (table.primary_key && uses(table.primary_key->columns)) return false;
  for (const auto& i : table.indexes) {
    if (uses(i.columns) || i.where.find(column) != std::string::npos) return false;
  }
  for (const auto& u : table.unique_constraints) {
    if (uses(u.columns)) return false;
  }
  for (const auto& f : table.foreign_keys) {
    if (uses(f.columns)) return false;
  }
  for (const auto& c : table.check_constraints) {
    if (c.condition.find(column) != std::string::npos) return false;
  }
  return true;
}

const Dialect& sqlite_dialect() {
  static const SqliteDialect dialect;
  return dialect;
}

}  // namespace strata::detail
