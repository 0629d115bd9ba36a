// The two dialects. Private: users reach them through Dialect::of and Dialect::named.
#pragma once

#include "strata/dialect/dialect.hpp"

namespace strata::detail {

class SqliteDialect final : public Dialect {
 public:
  Backend backend() const noexcept override { return Backend::sqlite; }
  std::string_view name() const noexcept override { return "sqlite"; }
  std::string placeholder(int number) const override { return "?" + std::to_string(number); }
  std::string literal(const Value& value, const Type& type) const override;
  bool same_type(const Type& model, const Type& reflected) const override;
  Url scratch_url(const Url& /*like*/, std::string_view /*name*/) const override {
    return Url::parse("sqlite://");
  }
  std::string_view ilike_operator() const noexcept override { return "LIKE"; }
  bool in_process() const noexcept override { return true; }
  bool can_add_column(const Column& column) const override;
  bool can_drop_column(const Table& table, std::string_view column) const override;
  bool can_alter_column() const override { return false; }
  bool can_alter_constraints() const override { return false; }
  bool rebuild_needs_foreign_keys_off() const noexcept override { return true; }
  std::string foreign_keys_sql(bool on) const override {
    return on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF";
  }
  std::string foreign_key_check_sql() const override { return "PRAGMA foreign_key_check"; }
  void carry_out(Connection& conn, const TableRebuild& rebuild,
                 const ProgressFn& progress) const override;
  ForeignKeyViolations foreign_key_violations(Connection& conn) const override;
  std::string last_insert_id_sql() const override { return "SELECT last_insert_rowid()"; }
  std::string schema_objects_sql() const override {
    return "SELECT type, name, sql, CASE type WHEN 'view' THEN 'DROP VIEW IF EXISTS \"' || "
           "replace(name, '\"', '\"\"') || '\"' END, CASE WHEN type <> 'view' THEN tbl_name "
           "END FROM sqlite_schema WHERE sql IS NOT NULL AND type IN ('index', 'view', "
           "'trigger') ORDER BY rowid";
  }

 protected:
  std::string_view type_name(TypeKind kind) const override;
  std::string autoincrement_column_sql(const Table& table, const Column& column) const override;
  std::string column_sql(const Table& table, const Column& column) const override;
  std::string blob_literal(const Blob& blob) const override { return "X'" + hex(blob) + "'"; }
};

class PostgresDialect final : public Dialect {
 public:
  Backend backend() const noexcept override { return Backend::postgresql; }
  std::string_view name() const noexcept override { return "postgresql"; }
  std::string placeholder(int number) const override { return "$" + std::to_string(number); }
  std::string_view ilike_operator() const noexcept override { return "ILIKE"; }
  bool in_process() const noexcept override { return false; }
  std::string read_only_transaction_sql() const override { return "SET TRANSACTION READ ONLY"; }
  std::string replica_lag_sql() const override;
  bool replica_unavailable(const DatabaseError& error) const override;
  Url scratch_url(const Url& like, std::string_view name) const override {
    return like.with_database(name);
  }
  std::string create_database_sql(std::string_view name) const override {
    return "CREATE DATABASE " + quote(name);
  }
  // FORCE: a connection the scratch database's pool still holds must not keep it alive.
  std::string drop_database_sql(std::string_view name) const override {
    return "DROP DATABASE IF EXISTS " + quote(name) + " WITH (FORCE)";
  }
  std::string try_lock_sql(std::int64_t key) const override {
    return "SELECT pg_try_advisory_lock(" + std::to_string(key) + ")";
  }
  std::string unlock_sql(std::int64_t key) const override {
    return "SELECT pg_advisory_unlock(" + std::to_string(key) + ")";
  }
  std::string schema_objects_sql() const override;
  std::string set_limit_sql(Limit limit, std::chrono::milliseconds value,
                            bool local) const override;
  std::string reset_limit_sql(Limit limit) const override;
  bool exceeded(Limit limit, const DatabaseError& error) const override;
  std::string lock_holders_sql() const override;
  // A bigint advisory key is kept as two 32-bit halves in pg_locks.
  std::string lock_holder_sql(std::int64_t key) const override {
    auto bits = static_cast<std::uint64_t>(key);
    // Advisory locks belong to a database: the same key may be held in another one.
    return "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
           "(SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = " +
           std::to_string(bits >> 32) + " AND objid = " + std::to_string(bits & 0xffffffffu) +
           " AND objsubid = 1";
  }

 protected:
  std::string_view type_name(TypeKind kind) const override;
  std::string autoincrement_column_sql(const Table& table, const Column& column) const override;
  std::string blob_literal(const Blob& blob) const override {
    return "'\\x" + hex(blob) + "'::bytea";
  }
  std::string_view concurrently_keyword() const noexcept override { return "CONCURRENTLY "; }
  std::string_view not_valid_keyword() const noexcept override { return " NOT VALID"; }
};

}  // namespace strata::detail
