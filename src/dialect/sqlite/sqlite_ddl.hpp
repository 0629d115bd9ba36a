// Reads what SQLite's pragmas do not tell from the CREATE TABLE text it keeps in
// sqlite_schema: constraint names, CHECK conditions, AUTOINCREMENT and WITHOUT ROWID; and the
// WHERE of a partial index from its CREATE INDEX text; generated columns' expressions.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata::detail {

struct DdlConstraint {
  enum class Kind { primary_key, unique, check, foreign_key };
  Kind kind;
  std::string name;                  // empty when the DDL gives none
  std::vector<std::string> columns;  // the constrained columns; empty for a table-level check
  std::string condition;             // CHECK's expression, as written
};

// A generated column's `AS (expression)` and STORED or VIRTUAL (the default), as written.
struct DdlGenerated {
  std::string expression;
  bool stored = false;
};

struct DdlTable {
  std::vector<DdlConstraint> constraints;
  std::map<std::string, DdlGenerated> generated;  // by column name, case-folded
  bool autoincrement = false;                     // the AUTOINCREMENT keyword
  bool without_rowid = false;
};

// Tolerant: text it does not understand is skipped, never an error, since any SQLite schema
// must reflect.
DdlTable parse_create_table(std::string_view sql);
// The condition of a partial index, as written; empty for a full index.
std::string parse_index_where(std::string_view sql);
// The keys of a CREATE INDEX as written: column names unquoted, expressions as text.
std::vector<std::string> parse_index_columns(std::string_view sql);

// A CREATE INDEX for a table's new shape after a SQLite rebuild: the columns of its keys and
// WHERE renamed in one pass (`renames`: old name -> new name); nullopt when it uses one of
// `dropped`. Names match as SQLite matches them, without regard to case.
std::optional<std::string> index_for_new_shape(std::string_view create_index,
                                               const std::map<std::string, std::string>& renames,
                                               const std::vector<std::string>& dropped);
// The names (tables, views, columns) SQLite SQL uses, case-folded as SQLite compares them.
std::set<std::string> sqlite_names(std::string_view sql);
std::string fold_case(std::string_view name);

}  // namespace strata::detail
