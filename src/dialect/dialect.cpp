#include "strata/dialect/dialect.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <vector>

#include "../core/backend_spec.hpp"
#include "../core/sql_text.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace {

std::string quoted_string(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

Dialect::Dialect() {
  static std::atomic<std::size_t> next{0};
  index_ = next++;
  if (index_ >= kMaxDialects) {
    throw UsageError(
        fmt::format("more than {} dialects made: a dialect is a singleton that "
                    "lives as long as the program; make each one once",
                    kMaxDialects));
  }
}

const Dialect& Dialect::of(Backend backend) {
  for (const Dialect* d : all()) {
    if (d->backend() == backend) return *d;
  }
  return detail::backend_spec(backend).dialect();  // throws: no backend describes it
}

// Made here, in the backends' order, so that the built-in dialects take the first indexes.
std::span<const Dialect* const> Dialect::all() {
  static const std::vector<const Dialect*> dialects = [] {
    std::vector<const Dialect*> out;
    for (const detail::BackendSpec* spec : detail::backends()) out.push_back(&spec->dialect());
    return out;
  }();
  return dialects;
}

const Dialect& Dialect::named(std::string_view name) {
  std::vector<std::string_view> names;
  for (const Dialect* d : all()) {
    auto aliases = d->aliases();
    if (d->name() == name || std::find(aliases.begin(), aliases.end(), name) != aliases.end()) {
      return *d;
    }
    names.push_back(d->name());
  }
  throw ConfigError(
      fmt::format("unknown dialect '{}': expected {}", name, fmt::join(names, " or ")));
}

const detail::SqlSyntax& Dialect::sql_syntax() const noexcept {
  return *detail::backend_spec(backend()).syntax;
}

std::string Dialect::quote(std::string_view name) const {
  return detail::quote_identifier(name);
}

std::string_view Dialect::type_name(TypeKind kind) const {
  switch (kind) {
    case TypeKind::boolean:
      return "BOOLEAN";
    case TypeKind::smallinteger:
      return "SMALLINT";
    case TypeKind::integer:
      return "INTEGER";
    case TypeKind::biginteger:
      return "BIGINT";
    case TypeKind::float32:
      return "REAL";
    case TypeKind::float64:
      return "DOUBLE PRECISION";
    case TypeKind::text:
      return "TEXT";
    case TypeKind::date:
      return "DATE";
    case TypeKind::time:
      return "TIME";
    case TypeKind::datetime:
      return "TIMESTAMP";
    case TypeKind::datetime_tz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeKind::binary:
      return "BLOB";
    case TypeKind::json:
      return "JSON";
    case TypeKind::uuid:
      return "UUID";
    case TypeKind::numeric:  // take their parameters: type_sql writes them
    case TypeKind::string:
    case TypeKind::other:
      return "";
  }
  return "";
}

std::string Dialect::type_sql(const Type& type) const {
  switch (type.kind()) {
    case TypeKind::numeric:
      if (type.precision() == 0) return "NUMERIC";
      return fmt::format("NUMERIC({}, {})", type.precision(), type.scale());
    case TypeKind::string:
      return type.length() > 0 ? fmt::format("VARCHAR({})", type.length()) : "VARCHAR";
    case TypeKind::other:
      return type.database_name();
    case TypeKind::boolean:
    case TypeKind::smallinteger:
    case TypeKind::integer:
    case TypeKind::biginteger:
    case TypeKind::float32:
    case TypeKind::float64:
    case TypeKind::text:
    case TypeKind::date:
    case TypeKind::time:
    case TypeKind::datetime:
    case TypeKind::datetime_tz:
    case TypeKind::binary:
    case TypeKind::json:
    case TypeKind::uuid:
      break;
  }
  return std::string(type_name(type.kind()));
}

std::string Dialect::literal(const Value& value, const Type& /*type*/) const {
  switch (value.kind()) {
    case ValueKind::null:
      return "NULL";
    case ValueKind::integer:
      return std::to_string(value.as_int());
    case ValueKind::real: {
      double d = value.as_double();
      if (!std::isfinite(d)) {
        throw UsageError("a non-finite number cannot be written as an SQL literal");
      }
      return fmt::format("{}", d);
    }
    case ValueKind::boolean:
      return value.as_bool() ? "TRUE" : "FALSE";
    case ValueKind::text:
      return quoted_string(value.as_text());
    case ValueKind::blob:
      return blob_literal(value.as_blob());
    case ValueKind::json:
      return quoted_string(std::get<Json>(value.storage()).text);
    case ValueKind::date:  // as text
    case ValueKind::time:
    case ValueKind::datetime:
    case ValueKind::timestamp:
    case ValueKind::uuid:
      break;
  }
  char buffer[kMaxTemporalText];
  return quoted_string(std::string_view(buffer, ValueRef(value).format(buffer)));
}

std::string Dialect::hex(const Blob& blob) {
  std::string out;
  for (std::byte b : blob.bytes) out += fmt::format("{:02x}", static_cast<unsigned>(b));
  return out;
}

std::string Dialect::default_sql(const ServerDefault& d, const Type& type) const {
  switch (d.kind) {
    case ServerDefault::Kind::now:
      return now_sql();
    case ServerDefault::Kind::expression:
      return "(" + d.expression + ")";
    case ServerDefault::Kind::literal:
      return literal(d.literal, type);
  }
  return "NULL";
}

std::string Dialect::column_list(const std::vector<std::string>& columns) const {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + quote(c);
  return out;
}

std::string Dialect::column_sql(const Table& table, const Column& c) const {
  if (c.autoincrement) return autoincrement_column_sql(table, c);
  std::string out = quote(c.name) + " " + type_sql(c.type);
  if (c.generated_by_expression()) {
    if (!c.generated->stored && !virtual_generated_columns()) {
      throw ProgrammingError(
          fmt::format("column {}.{} is a VIRTUAL generated column, which {} does not have; "
                      "make it stored",
                      table.name, c.name, title()),
          {});
    }
    out += fmt::format(" GENERATED ALWAYS AS ({}) {}", c.generated->expression,
                       c.generated->stored ? "STORED" : "VIRTUAL");
  }
  if (!c.nullable) out += " NOT NULL";
  if (c.server_default) out += " DEFAULT " + default_sql(*c.server_default, c.type);
  return out;
}

namespace {

// `CONSTRAINT name ` before a table constraint; nothing before one without a name (SQLite keeps
// none for a constraint its CREATE TABLE left unnamed, and a rebuild reflects it so), which
// the database then names itself, where `CONSTRAINT ""` would give it an empty name.
std::string constraint_clause(std::string_view name) {
  return name.empty() ? std::string() : "CONSTRAINT " + detail::quote_identifier(name) + " ";
}

}  // namespace

std::string Dialect::foreign_key_sql(const ForeignKey& fk) const {
  std::string out = fmt::format("{}FOREIGN KEY ({}) REFERENCES {} ({})", constraint_clause(fk.name),
                                column_list(fk.columns), quote(fk.referred_table),
                                column_list(fk.referred_columns));
  if (fk.on_delete != FkAction::no_action)
    out += fmt::format(" ON DELETE {}", to_sql(fk.on_delete));
  if (fk.on_update != FkAction::no_action)
    out += fmt::format(" ON UPDATE {}", to_sql(fk.on_update));
  return out;
}

std::vector<std::string> Dialect::create_table(const Table& t, bool if_not_exists) const {
  std::vector<std::string> parts;
  for (const auto& c : t.columns) parts.push_back(column_sql(t, c));
  if (t.primary_key) {
    parts.push_back(fmt::format("{}PRIMARY KEY ({})", constraint_clause(t.primary_key->name),
                                column_list(t.primary_key->columns)));
  }
  for (const auto& u : t.unique_constraints) {
    parts.push_back(
        fmt::format("{}UNIQUE ({})", constraint_clause(u.name), column_list(u.columns)));
  }
  for (const auto& fk : t.foreign_keys) parts.push_back(foreign_key_sql(fk));
  for (const auto& ck : t.check_constraints) {
    parts.push_back(fmt::format("{}CHECK ({})", constraint_clause(ck.name), ck.condition));
  }
  std::vector<std::string> statements{fmt::format("CREATE TABLE {}{} (\n  {}\n)",
                                                  if_not_exists ? "IF NOT EXISTS " : "",
                                                  quote(t.name), fmt::join(parts, ",\n  "))};
  for (const auto& i : t.indexes) statements.push_back(create_index(t, i));
  return statements;
}

std::string Dialect::drop_table(std::string_view name) const {
  return "DROP TABLE " + quote(name);
}

std::string Dialect::create_index(const Table& t, const Index& i, bool concurrently) const {
  std::string out = fmt::format("CREATE {}INDEX {}{} ON {} ({})", i.unique ? "UNIQUE " : "",
                                concurrently ? concurrently_keyword() : "", quote(i.name),
                                quote(t.name), column_list(i.columns));
  if (!i.where.empty()) out += " WHERE " + i.where;
  return out;
}

// Index names are schema-wide on both backends, so the table is not needed.
std::string Dialect::drop_index(std::string_view /*table*/, std::string_view index) const {
  return "DROP INDEX " + quote(index);
}

std::string Dialect::rename_table_sql(std::string_view from, std::string_view to) const {
  return fmt::format("ALTER TABLE {} RENAME TO {}", quote(from), quote(to));
}

std::string Dialect::add_column_sql(const Table& table, const Column& column) const {
  return fmt::format("ALTER TABLE {} ADD COLUMN {}", quote(table.name), column_sql(table, column));
}

std::string Dialect::drop_column_sql(std::string_view table, std::string_view column) const {
  return fmt::format("ALTER TABLE {} DROP COLUMN {}", quote(table), quote(column));
}

std::string Dialect::rename_column_sql(std::string_view table, std::string_view from,
                                       std::string_view to) const {
  return fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", quote(table), quote(from), quote(to));
}

std::vector<std::string> Dialect::alter_column_sql(std::string_view table, const Column& before,
                                                   const Column& after) const {
  std::string prefix =
      fmt::format("ALTER TABLE {} ALTER COLUMN {} ", quote(table), quote(after.name));
  std::vector<std::string> out;
  if (before.type != after.type) {
    out.push_back(prefix + fmt::format("TYPE {} USING {}::{}", type_sql(after.type),
                                       quote(after.name), type_sql(after.type)));
  }
  if (before.nullable != after.nullable)
    out.push_back(prefix + (after.nullable ? "DROP NOT NULL" : "SET NOT NULL"));
  if (before.server_default != after.server_default) {
    out.push_back(prefix + (after.server_default
                                ? "SET DEFAULT " + default_sql(*after.server_default, after.type)
                                : std::string("DROP DEFAULT")));
  }
  return out;
}

std::string Dialect::add_constraint_sql(std::string_view table, const PrimaryKey& pk) const {
  return fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})", quote(table),
                     quote(pk.name), column_list(pk.columns));
}

std::string Dialect::add_constraint_sql(std::string_view table, const UniqueConstraint& u) const {
  return fmt::format("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})", quote(table), quote(u.name),
                     column_list(u.columns));
}

std::string Dialect::add_constraint_sql(std::string_view table, const ForeignKey& fk,
                                        bool not_valid) const {
  return fmt::format("ALTER TABLE {} ADD {}{}", quote(table), foreign_key_sql(fk),
                     not_valid ? not_valid_keyword() : "");
}

std::string Dialect::add_constraint_sql(std::string_view table, const CheckConstraint& ck,
                                        bool not_valid) const {
  return fmt::format("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({}){}", quote(table), quote(ck.name),
                     ck.condition, not_valid ? not_valid_keyword() : "");
}

std::vector<std::string> Dialect::validate_constraint_sql(std::string_view table,
                                                          std::string_view name) const {
  if (not_valid_keyword().empty()) return {};
  return {fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}", quote(table), quote(name))};
}

std::string Dialect::drop_constraint_sql(std::string_view table, std::string_view name) const {
  return fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", quote(table), quote(name));
}

}  // namespace strata
