// The SQLite dialect. Private: users reach it through Dialect::of and Dialect::named.
#pragma once

#include "strata/dialect/dialect.hpp"

namespace strata::detail {

class SqliteDialect final : public Dialect {
 public:
  Backend backend() const noexcept override { return Backend::sqlite; }
  std::string_view name() const noexcept override { return "sqlite"; }
  std::string_view title() const noexcept override { return "SQLite"; }
  // A bare `?`, which SQLite numbers one above the largest number so far: the same number,
  // since parameters come in order. Preparing `?NNN` looks each one up in a list of the
  // statement's parameter names as it generates code, quadratic in their number: 10,000 of
  // them took 131 ms to prepare against 6.5 ms for bare ones, 2,048 (a 512-row INSERT of four
  // columns) 7.3 against 0.4 ms.
  std::string placeholder(int /*number*/) const override { return "?"; }
  // UPDATE ... FROM came with SQLite 3.33: asks the library the program runs with.
  bool update_from_values() const noexcept override;
  // SQLite runs it through two temporary tables whose pages it allocates and frees per
  // statement (and glibc often hands those back to the system, to fault them in again), where
  // a prepared single-row UPDATE costs no round trip to save. Measured on a 200,000-row table,
  // one changed column, a session's commit: 200 rows took 0.7 ms that way against 0.15 ms in
  // single-row UPDATEs, 2,000 rows 1.3 to 4.5 ms (by the page faults) against 1.3 ms, 4,000
  // rows 1.6 against 2.6 ms, 5,000 rows 2.0 against 3.2 ms, 20,000 rows 8.5 against 13.4 ms.
  std::size_t update_from_values_min_rows() const noexcept override { return 4096; }
  std::string literal(const Value& value, const Type& type) const override;
  bool same_type(const Type& model, const Type& reflected) const override;
  Url scratch_url(const Url& /*like*/, std::string_view /*name*/) const override {
    return Url::parse("sqlite://");
  }
  std::unique_ptr<Reflector> reflector(std::string /*schema*/) const override;
  std::string_view ilike_operator() const noexcept override { return "LIKE"; }
  bool can_add_column(const Column& column) const override;
  bool virtual_generated_columns() const noexcept override { return true; }
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
  std::string last_insert_id_sql(std::string_view table, std::string_view key) const override;
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

// The program's one SqliteDialect, for the backend's descriptor (src/driver/sqlite/).
const Dialect& sqlite_dialect();

}  // namespace strata::detail
