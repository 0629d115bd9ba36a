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
  bool operator==(const CreateTable&) const = default;
};
struct DropTable {
  std::string name;
  bool operator==(const DropTable&) const = default;
};
struct RenameTable {
  std::string name;
  std::string new_name;
  bool operator==(const RenameTable&) const = default;
};
struct AddColumn {
  std::string table;
  Column column;  // plain: the revision parser turns its shorthands into constraint operations
  bool operator==(const AddColumn&) const = default;
};
struct DropColumn {
  std::string table;
  std::string name;
  bool operator==(const DropColumn&) const = default;
};
struct AlterColumn {
  std::string table;
  std::string name;
  std::optional<Type> type;
  std::optional<bool> nullable;
  // Outer optional: whether the default changes; inner: the new default, or none.
  std::optional<std::optional<ServerDefault>> server_default;
  std::optional<std::string> new_name;
  bool operator==(const AlterColumn&) const = default;
};
struct CreateIndex {
  std::string table;
  Index index;
  bool concurrently = false;  // PostgreSQL's CREATE INDEX CONCURRENTLY; needs transactional: false
  bool operator==(const CreateIndex&) const = default;
};
struct DropIndex {
  std::string table;
  std::string name;
  bool operator==(const DropIndex&) const = default;
};
struct CreateUniqueConstraint {
  std::string table;
  UniqueConstraint constraint;
  bool operator==(const CreateUniqueConstraint&) const = default;
};
struct CreateForeignKey {
  std::string table;
  ForeignKey constraint;
  bool operator==(const CreateForeignKey&) const = default;
};
struct CreateCheckConstraint {
  std::string table;
  CheckConstraint constraint;
  bool operator==(const CreateCheckConstraint&) const = default;
};
// Makes the primary key of a table that has none; its columns become NOT NULL.
struct CreatePrimaryKey {
  std::string table;
  PrimaryKey constraint;
  bool operator==(const CreatePrimaryKey&) const = default;
};
enum class ConstraintType { unique, foreign_key, check, primary_key };
struct DropConstraint {
  std::string table;
  std::string name;
  ConstraintType type;
  bool operator==(const DropConstraint&) const = default;
};
struct Execute {
  std::string sql;
  std::map<std::string, std::string> per_dialect;  // "sqlite"/"postgresql" -> text used there
  bool operator==(const Execute&) const = default;
};
struct BulkInsert {
  std::string table;
  std::vector<std::vector<std::pair<std::string, Value>>> rows;
  bool operator==(const BulkInsert&) const = default;
};

// Operations compare field by field (revision files read back, inverses checked).
using Operation =
    std::variant<CreateTable, DropTable, RenameTable, AddColumn, DropColumn, AlterColumn,
                 CreateIndex, DropIndex, CreateUniqueConstraint, CreateForeignKey,
                 CreateCheckConstraint, CreatePrimaryKey, DropConstraint, Execute, BulkInsert>;

// The revision-file name of an operation: "create_table", "alter_column", ...
std::string_view operation_name(const Operation& op);
// One line naming the operation and what it works on: "add_column items.price",
// "create_index ix_items_title on items", "bulk_insert items (3 rows)".
std::string describe_operation(const Operation& op);

class SchemaState;

// The operations that undo `op` on the schema `before` it: a drop brings back what it removes
// (a dropped column comes back with the indexes and constraints that went with it), a rename
// and an alteration go back to the old name and values. Throws MigrationError for what has no
// inverse: execute, bulk_insert, or an op that does not fit `before`.
std::vector<Operation> inverse(const Operation& op, const SchemaState& before);
// Undoes a whole list applied to `before`: the inverse of each operation, last one first.
std::vector<Operation> inverse(const std::vector<Operation>& ops, SchemaState before);

// Whether dropping `column` takes these with it, as PostgreSQL does: an index on it or whose
// WHERE names it, a constraint on it (the primary key too), a CHECK whose condition names it.
bool involves(const Index& index, std::string_view column);
bool involves(const CheckConstraint& check, std::string_view column);

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
  void create_primary_key(const CreatePrimaryKey& op);
  void drop_constraint(const DropConstraint& op);
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace strata::migrate
