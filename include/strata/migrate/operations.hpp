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

// The dialects an operation runs, replays and renders on, by name ("postgresql", "sqlite"),
// sorted; empty for every dialect. Each operation has it last, so that it can be left out.
using Dialects = std::vector<std::string>;

struct CreateTable {
  Table table;
  Dialects dialects = {};
  bool operator==(const CreateTable&) const = default;
};
struct DropTable {
  std::string name;
  Dialects dialects = {};
  bool operator==(const DropTable&) const = default;
};
struct RenameTable {
  std::string name;
  std::string new_name;
  Dialects dialects = {};
  bool operator==(const RenameTable&) const = default;
};
struct AddColumn {
  std::string table;
  Column column;  // plain: the revision parser turns its shorthands into constraint operations
  Dialects dialects = {};
  bool operator==(const AddColumn&) const = default;
};
struct DropColumn {
  std::string table;
  std::string name;
  Dialects dialects = {};
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
  Dialects dialects = {};
  bool operator==(const AlterColumn&) const = default;
};
struct CreateIndex {
  std::string table;
  Index index;
  bool concurrently = false;  // PostgreSQL's CREATE INDEX CONCURRENTLY; needs transactional: false
  Dialects dialects = {};
  bool operator==(const CreateIndex&) const = default;
};
struct DropIndex {
  std::string table;
  std::string name;
  Dialects dialects = {};
  bool operator==(const DropIndex&) const = default;
};
struct CreateUniqueConstraint {
  std::string table;
  UniqueConstraint constraint;
  Dialects dialects = {};
  bool operator==(const CreateUniqueConstraint&) const = default;
};
// `not_valid`: PostgreSQL's NOT VALID. New and changed rows are checked at once, the rows
// already there only by a later validate_constraint, which does not block writes; the ALTER
// itself then holds its lock for a moment instead of a scan. SQLite checks every row anyway.
struct CreateForeignKey {
  std::string table;
  ForeignKey constraint;
  bool not_valid = false;
  Dialects dialects = {};
  bool operator==(const CreateForeignKey&) const = default;
};
struct CreateCheckConstraint {
  std::string table;
  CheckConstraint constraint;
  bool not_valid = false;  // as for CreateForeignKey
  Dialects dialects = {};
  bool operator==(const CreateCheckConstraint&) const = default;
};
// Makes the primary key of a table that has none; its columns become NOT NULL.
struct CreatePrimaryKey {
  std::string table;
  PrimaryKey constraint;
  Dialects dialects = {};
  bool operator==(const CreatePrimaryKey&) const = default;
};
enum class ConstraintType { unique, foreign_key, check, primary_key };
struct DropConstraint {
  std::string table;
  std::string name;
  ConstraintType type;
  Dialects dialects = {};
  bool operator==(const DropConstraint&) const = default;
};
// Checks the rows a NOT VALID foreign key or check constraint left unchecked (PostgreSQL's
// VALIDATE CONSTRAINT, which lets reads and writes go on); nothing to do on SQLite.
struct ValidateConstraint {
  std::string table;
  std::string name;
  Dialects dialects = {};
  bool operator==(const ValidateConstraint&) const = default;
};
struct Execute {
  std::string sql;
  std::map<std::string, std::string> per_dialect;  // "sqlite"/"postgresql" -> text used there
  Dialects dialects = {};
  bool operator==(const Execute&) const = default;
};
struct BulkInsert {
  std::string table;
  std::vector<std::vector<std::pair<std::string, Value>>> rows;
  Dialects dialects = {};
  bool operator==(const BulkInsert&) const = default;
};

// Operations compare field by field (revision files read back, inverses checked).
using Operation = std::variant<CreateTable, DropTable, RenameTable, AddColumn, DropColumn,
                               AlterColumn, CreateIndex, DropIndex, CreateUniqueConstraint,
                               CreateForeignKey, CreateCheckConstraint, CreatePrimaryKey,
                               DropConstraint, ValidateConstraint, Execute, BulkInsert>;

// The revision-file name of an operation: "create_table", "alter_column", ...
std::string_view operation_name(const Operation& op);
// One line naming the operation and what it works on: "add_column items.price",
// "create_index ix_items_title on items", "bulk_insert items (3 rows)", and the dialects it is
// restricted to: "create_check_constraint ck_runs_id on runs (sqlite only)".
std::string describe_operation(const Operation& op);

// The dialects `op` is restricted to (empty: every dialect), and whether it runs on `dialect`
// ("sqlite", "postgresql"): only those operations run, replay and render there.
const Dialects& dialects_of(const Operation& op);
bool runs_on(const Operation& op, std::string_view dialect);
// Restricts `op` to `dialects` (sorted by this function), as the key `dialects:` does.
void restrict_to(Operation& op, Dialects dialects);

class SchemaState;

// The operations that undo `op` on the schema `before` it: a drop brings back what it removes
// (a dropped column comes back with the indexes and constraints that went with it), a rename
// and an alteration go back to the old name and values; each is restricted to the dialects of
// `op`. Throws MigrationError for what has no inverse: execute, bulk_insert, an op that does
// not fit `before`, or one that `before` does not replay (another dialect's).
std::vector<Operation> inverse(const Operation& op, const SchemaState& before);
// Undoes a whole list applied to `before`: the inverse of each operation, last one first.
std::vector<Operation> inverse(const std::vector<Operation>& ops, SchemaState before);

// The shape of every table at one point of the history, derived from operations alone, as one
// dialect sees it. A value type.
class SchemaState {
 public:
  // Replays every operation, whatever its dialects: for schemas of operations that have none
  // (autogenerate's, reflection's).
  SchemaState() = default;
  // Replays the operations that run on `dialect` and passes over the others.
  explicit SchemaState(const Dialect& dialect);

  // Whether apply() takes `op` in, rather than passing over it.
  bool replays(const Operation& op) const;
  // Whether dropping `column` takes these with it, as PostgreSQL does: an index on it or whose
  // WHERE names it, a CHECK whose condition names it (read by this state's dialect's rules).
  bool involves(const Index& index, std::string_view column) const;
  bool involves(const CheckConstraint& check, std::string_view column) const;
  const Table* table(std::string_view name) const;
  const std::map<std::string, Table, std::less<>>& tables() const noexcept { return tables_; }
  // Throws MigrationError naming the operation's table or column when it does not fit the
  // state (a missing table, a column that exists already, ...). An operation this state does
  // not replay changes nothing.
  void apply(const Operation& op);

 private:
  Table& existing(std::string_view name);
  void drop_column(Table& table, std::string_view name);
  void alter_column(const AlterColumn& op);
  void create_primary_key(const CreatePrimaryKey& op);
  void drop_constraint(const DropConstraint& op);
  void validated(const ValidateConstraint& op);
  std::map<std::string, Table, std::less<>> tables_;
  const Dialect* dialect_ = nullptr;  // null: every dialect
};

}  // namespace strata::migrate
