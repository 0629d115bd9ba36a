// Tables as values: columns, primary key, indexes, unique, foreign key and check constraints.
// A Table is plain data that migrations replay and reflection rebuilds, so that two tables can
// be compared field by field. Column-level shorthands (`.primary_key()`, `.unique()`,
// `.index()`, `.references()`, `.check()`) become table-level constraints when the Table is
// built, so every constraint has one representation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/value.hpp"
#include "strata/schema/type.hpp"

namespace strata {

// A column's server default: a literal, the current timestamp, or an SQL expression.
struct ServerDefault {
  enum class Kind { literal, now, expression };
  Kind kind = Kind::literal;
  Value literal;
  std::string expression;

  static ServerDefault value(Value v) { return {Kind::literal, std::move(v), {}}; }
  static ServerDefault now() { return {Kind::now, {}, {}}; }
  static ServerDefault sql(std::string expression) {
    return {Kind::expression, {}, std::move(expression)};
  }
  bool operator==(const ServerDefault&) const = default;
};

enum class FkAction { no_action, restrict, cascade, set_null, set_default };
// "cascade", "set null", "restrict", "no action", "set default" (case and `_` insensitive).
FkAction parse_fk_action(std::string_view text);
std::string_view to_sql(FkAction action) noexcept;  // "CASCADE", "SET NULL", ...

struct PrimaryKey {
  std::string name;
  std::vector<std::string> columns;
  bool operator==(const PrimaryKey&) const = default;
};

struct Index {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
  std::string where;  // a partial index's condition; empty for a full index
  bool operator==(const Index&) const = default;
};

struct UniqueConstraint {
  std::string name;
  std::vector<std::string> columns;
  bool operator==(const UniqueConstraint&) const = default;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string referred_table;
  std::vector<std::string> referred_columns;
  FkAction on_delete = FkAction::no_action;
  FkAction on_update = FkAction::no_action;
  bool operator==(const ForeignKey&) const = default;
};

struct CheckConstraint {
  std::string name;
  std::string condition;
  bool operator==(const CheckConstraint&) const = default;
};

// A column the database computes from the row: GENERATED ALWAYS AS (expression).
struct Generated {
  // As the database keeps it. Empty: computed by the database in a way the model does not say
  // (an ORM column marked computed()), which is compared with nothing and created plain.
  std::string expression;
  bool stored = true;  // STORED; false: VIRTUAL, computed when read (SQLite only)
  bool operator==(const Generated&) const = default;
};

// A column. Built fluently: Column("title", Type::string(200)).not_null().index().
struct Column {
  std::string name;
  Type type;
  bool nullable = true;
  bool autoincrement = false;  // SQLite rowid alias, PostgreSQL identity
  std::optional<ServerDefault> server_default;
  std::optional<Generated> generated;
  // The name the column had before, for autogenerate: a rename keeps the data, where a drop
  // and an add would lose it. Empty for a column that was never renamed.
  std::string former_name;

  // Shorthands, moved into the Table's constraints when the Table is built.
  struct Pending {
    bool primary_key = false;
    std::optional<bool> autoincrement;  // unset: true for a lone integer primary key
    bool unique = false;
    bool index = false;
    std::optional<ForeignKey> foreign_key;
    std::optional<std::string> check;
    bool operator==(const Pending&) const = default;
  } pending;

  Column() = default;
  Column(std::string column_name, Type column_type)
      : name(std::move(column_name)), type(std::move(column_type)) {}

  Column& not_null() { return nullable = false, *this; }
  Column& primary_key() { return pending.primary_key = true, nullable = false, *this; }
  Column& auto_increment(bool on = true) {
    autoincrement = on;
    pending.autoincrement = on;
    return *this;
  }
  Column& unique() { return pending.unique = true, *this; }
  Column& index() { return pending.index = true, *this; }
  Column& default_value(Value v) {
    return server_default = ServerDefault::value(std::move(v)), *this;
  }
  Column& default_now() { return server_default = ServerDefault::now(), *this; }
  Column& default_sql(std::string e) {
    return server_default = ServerDefault::sql(std::move(e)), *this;
  }
  Column& generated_as(std::string expression, bool stored = true) {
    return generated = Generated{std::move(expression), stored}, *this;
  }
  // Generated from an expression strata knows, which DDL writes.
  bool generated_by_expression() const noexcept {
    return generated && !generated->expression.empty();
  }
  // `target` is "table.column".
  Column& references(std::string_view target, FkAction on_delete = FkAction::no_action,
                     FkAction on_update = FkAction::no_action);
  Column& check(std::string condition) { return pending.check = std::move(condition), *this; }
  Column& renamed_from(std::string old_name) { return former_name = std::move(old_name), *this; }

  bool operator==(const Column&) const = default;
};

// A table. A value type; not thread-safe to mutate, safe to read from several threads.
struct Table {
  std::string name;
  std::vector<Column> columns;
  std::optional<PrimaryKey> primary_key;
  std::vector<Index> indexes;
  std::vector<UniqueConstraint> unique_constraints;
  std::vector<ForeignKey> foreign_keys;
  std::vector<CheckConstraint> check_constraints;
  // The table's previous name, for autogenerate (see Column::former_name).
  std::string former_name;

  Table() = default;
  // Moves column shorthands into constraints (names left empty for the naming convention).
  Table(std::string table_name, std::vector<Column> table_columns);

  Table& add_primary_key(std::vector<std::string> cols, std::string constraint_name = "");
  Table& add_index(std::vector<std::string> cols, bool is_unique = false, std::string where = "",
                   std::string index_name = "");
  Table& add_unique(std::vector<std::string> cols, std::string constraint_name = "");
  Table& add_foreign_key(ForeignKey fk);
  // A table-level check needs a name for the naming convention: ck_<table>_<name>.
  Table& add_check(std::string condition, std::string check_name);
  Table& renamed_from(std::string old_name) { return former_name = std::move(old_name), *this; }

  const Column* column(std::string_view column_name) const;
  Column* column(std::string_view column_name);
  // Throws strata::Error naming the table and the column when it is missing.
  const Column& column_or_throw(std::string_view column_name) const;

  bool operator==(const Table&) const = default;
};

// Whether `column` may hold NULL: a primary key column never does, whatever it was declared as
// (SQLite reports a TEXT key declared without NOT NULL as nullable).
bool effective_nullable(const Table& table, const Column& column);

// An SQL expression reduced for comparison: case, blanks, parentheses and `::type` casts
// dropped, so that a condition reads equal to the form PostgreSQL deparses it into.
std::string normalize_sql_expression(std::string_view sql);
// Whether two columns are generated alike: both plain, or both generated, STORED alike, from
// the same expression (compared without parentheses and casts, which PostgreSQL adds). An
// empty expression (not known) matches either.
bool same_generated(const std::optional<Generated>& a, const std::optional<Generated>& b);

// The first difference between two tables, or empty when they are equal: for test failures
// and for `verify`, which must say what differs.
// Check conditions, partial-index conditions and expression defaults compare in their
// normalized form.
std::string describe_difference(const Table& expected, const Table& actual);

}  // namespace strata
