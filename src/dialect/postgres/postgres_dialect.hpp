// The PostgreSQL dialect. Private: users reach it through Dialect::of and Dialect::named.
#pragma once

#include "strata/dialect/dialect.hpp"

namespace strata::detail {

class PostgresDialect final : public Dialect {
 public:
  Backend backend() const noexcept override { return Backend::postgresql; }
  std::string_view name() const noexcept override { return "postgresql"; }
  std::string_view title() const noexcept override { return "PostgreSQL"; }
  // The URL scheme's other spelling.
  std::span<const std::string_view> aliases() const noexcept override {
    static constexpr std::string_view names[] = {"postgres"};
    return names;
  }
  std::string placeholder(int number) const override { return "$" + std::to_string(number); }
  bool update_from_values() const noexcept override { return true; }
  std::string values_typing_row(std::string_view table,
                                std::span<const std::string> columns) const override;
  std::unique_ptr<Reflector> reflector(std::string schema) const override;
  std::string_view ilike_operator() const noexcept override { return "ILIKE"; }
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

// The program's one PostgresDialect, for the backend's descriptor (src/driver/postgres/).
const Dialect& postgres_dialect();

}  // namespace strata::detail
