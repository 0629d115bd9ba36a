// Migration operations as values. Each is portable across the dialects: it renders itself as
// SQL for a dialect (given the shape of the schema before it, which SQLite's table rebuilds
// need), applies itself to a schema snapshot (schema replay), and produces its inverse.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "strata/schema/table.hpp"

namespace strata {
class Dialect;
}

namespace strata::migrate {

struct CreateTable {
  Table table;
};
struct DropTable {
  std::string name;
};
struct RenameTable {
  std::string name;
  std::string new_name;
};
struct AddColumn {
  std::string table;
  Column column;  // plain: the revision parser turns its shorthands into constraint operations
};
struct DropColumn {
  std::string table;
  std::string name;
};
struct AlterColumn {
  std::string table;
  std::string name;
  std::optional<Type> type;
  std::optional<bool> nullable;
  // Outer optional: whether the default changes; inner: the new default, or none.
  std::optional<std::optional<ServerDefault>> server_default;
  std::optional<std::string> new_name;
};
struct CreateIndex {
  std::string table;
  Index index;
  bool concurrently = false;  // PostgreSQL's CREATE INDEX CONCURRENTLY; needs transactional: false
};
struct DropIndex {
  std::string table;
  std::string name;
};
struct CreateUniqueConstraint {
  std::string table;
  UniqueConstraint constraint;
};
struct CreateForeignKey {
  std::string table;
  ForeignKey constraint;
};
struct CreateCheckConstraint {
  std::string table;
  CheckConstraint constraint;
};
enum class ConstraintType { unique, foreign_key, check, primary_key };
struct DropConstraint {
  std::string table;
  std::string name;
  ConstraintType type;
};
struct Execute {
  std::string sql;
  std::map<std::string, std::string> per_dialect;  // "sqlite"/"postgresql" -> text used there
};
struct BulkInsert {
  std::string table;
  std::vector<std::vector<std::pair<std::string, Value>>> rows;
};

using Operation =
    std::variant<CreateTable, DropTable, RenameTable, AddColumn, DropColumn, AlterColumn,
                 CreateIndex, DropIndex, CreateUniqueConstraint, CreateForeignKey,
                 CreateCheckConstraint, DropConstraint, Execute, BulkInsert>;

// The revision-file name of an operation: "create_table", "alter_column", ...
std::string_view operation_name(const Operation& op);
// One line naming the operation and what it works on: "add_column items.price",
// "create_index ix_items_title on items", "bulk_insert items (3 rows)".
std::string describe_operation(const Operation& op);

// The shape of every table at one point of the history, derived from operations alone.
// A value type.
class SchemaState {
 public:
  const Table* table(std::string_view name) const;
  const std::map<std::string, Table, std::less<>>& tables() const noexcept { return tables_; }
  // Throws MigrationError naming the operation's table or column when it does not fit the
  // state (a missing table, a column that exists already, ...).
  void apply(const Operation& op);

 private:
  Table& existing(std::string_view name);
  void drop_column(Table& table, std::string_view name);
  void alter_column(const AlterColumn& op);
  void drop_constraint(const DropConstraint& op);
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace strata::migrate
