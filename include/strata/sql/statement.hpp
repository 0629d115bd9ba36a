// Statements (select, insert, update, delete) built fluently from expressions, and their
// compiled form: SQL text in the backend's own placeholders plus the values to bind. A
// statement keeps its compiled text per dialect, so a statement object that runs again, with
// new values for its bindparams, is not compiled again.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strata/dialect/dialect.hpp"
#include "strata/sql/expression.hpp"

namespace strata::sql {

namespace detail {
struct StatementNode;
}

// A statement compiled for one dialect. A plain value.
struct Compiled {
  // A placeholder whose value is given when the statement runs (a bindparam).
  struct Binding {
    std::size_t index = 0;  // into params
    std::string name;
    bool required = true;  // false when params[index] holds the bindparam's default
    bool operator==(const Binding&) const = default;
  };

  std::string sql;            // with the dialect's placeholders (?N, $N...)
  std::vector<Value> params;  // in placeholder order; a bindparam's slot holds its default
  std::vector<Binding> bindings;
};

// `column = value` in SET clauses and in the rows of an INSERT. A plain value.
struct Assignment {
  std::string column;
  Expr value;
};

// What the four statements share. A value type: copies share one tree until one of them is
// changed (it then takes its own copy). Build a statement in one thread; afterwards any number
// of threads may compile and execute it at the same time.
class Statement {
 public:
  // The compiled form for `dialect` (any dialect, a program's own included), compiled on first
  // use and kept with the statement; valid until the statement is changed or destroyed. Throws
  // UsageError for an incomplete statement (an UPDATE without SET...).
  const Compiled& compiled(const Dialect& dialect) const;
  const detail::StatementNode& node() const noexcept { return *node_; }
  const std::shared_ptr<detail::StatementNode>& shared_node() const noexcept { return node_; }

 protected:
  explicit Statement(std::shared_ptr<detail::StatementNode> node) noexcept
      : node_(std::move(node)) {}
  // The node, made this object's own before a change: copied when shared, and its compiled
  // forms dropped.
  template <class Node>
  Node& edit() {
    return static_cast<Node&>(edit_node());
  }

 private:
  detail::StatementNode& edit_node();

  std::shared_ptr<detail::StatementNode> node_;
};

// Compiles `statement` afresh, without looking at or filling the statement's own cache.
Compiled compile(const Statement& statement, const Dialect& dialect);
// The statement's text with every parameter written as a literal by Dialect::literal (as
// SQLAlchemy's literal_binds), for scripts that run without parameters: offline migrations,
// bulk_insert. A value given to a column (INSERT VALUES, SET) is written for the column's type,
// any other for the type of its value's kind. Throws UsageError for a bindparam without a
// default: it has no value to write.
std::string literal_sql(const Statement& statement, const Dialect& dialect);

// SELECT. Each method changes this statement and returns it, for chaining. A value type
// shared copy-on-write, like every Statement: change it in one thread only.
class Select : public Statement {
 public:
  Select& distinct();
  Select& from(const Source& source);
  // JOIN ... ON, attached to the latest from(); throws UsageError before any from().
  Select& join(const Source& source, const Expr& on);
  Select& left_join(const Source& source, const Expr& on);
  // A second where() is joined to the first with AND; so is a second having().
  Select& where(const Expr& condition);
  Select& group_by(std::vector<Expr> exprs);
  Select& having(const Expr& condition);
  Select& order_by(std::vector<Ordering> terms);
  Select& limit(const Expr& count);
  Select& offset(const Expr& count);

  // This select as a FROM item named `alias`; its columns are named by column or label.
  Source subquery(std::string alias) const;

 private:
  friend Select select(std::vector<Expr> columns);
  explicit Select(std::shared_ptr<detail::StatementNode> node) noexcept
      : Statement(std::move(node)) {}
};

// SELECT of `columns` (column references, labelled expressions, aggregates, subqueries).
Select select(std::vector<Expr> columns);

// INSERT INTO a table, one or several rows at once, with RETURNING and ON CONFLICT. A value
// type like every Statement.
class Insert : public Statement {
 public:
  // One row; every row must give the same columns. Throws UsageError for a column the table
  // does not have or a row whose columns differ from the first row's. No row at all is
  // INSERT ... DEFAULT VALUES.
  Insert& values(std::vector<Assignment> row);
  Insert& returning(std::vector<Expr> columns);
  // ON CONFLICT [(target)] DO NOTHING.
  Insert& on_conflict_do_nothing(std::vector<std::string> target = {});
  // ON CONFLICT (target) DO UPDATE SET ... [WHERE ...]; sql::excluded() names the new row.
  Insert& on_conflict_do_update(std::vector<std::string> target, std::vector<Assignment> set,
                                const Expr& where = {});

 private:
  friend Insert insert(const Table& table);
  explicit Insert(std::shared_ptr<detail::StatementNode> node) noexcept
      : Statement(std::move(node)) {}
};

// UPDATE of one table. A value type like every Statement.
class Update : public Statement {
 public:
  // Throws UsageError for a column the table does not have.
  Update& set(std::vector<Assignment> assignments);
  Update& where(const Expr& condition);
  Update& returning(std::vector<Expr> columns);

 private:
  friend Update update(const Table& table);
  explicit Update(std::shared_ptr<detail::StatementNode> node) noexcept
      : Statement(std::move(node)) {}
};

// DELETE FROM one table. A value type like every Statement.
class Delete : public Statement {
 public:
  Delete& where(const Expr& condition);
  Delete& returning(std::vector<Expr> columns);

 private:
  friend Delete delete_(const Table& table);
  explicit Delete(std::shared_ptr<detail::StatementNode> node) noexcept
      : Statement(std::move(node)) {}
};

// The table's name and column names are copied: `table` may go away afterwards.
Insert insert(const Table& table);
Update update(const Table& table);
Delete delete_(const Table& table);

// Many rows of `table` updated by one statement:
//   UPDATE t SET set[0] = v.column1, ... FROM (VALUES (...), ... `rows` rows) AS v
//   WHERE t.match[0] = v.column<set.size() + 1> AND ...
// Each row of parameters gives the `set` columns' new values, then the values the `match`
// columns are compared with (a column may be in both: a version's new and old value). The
// dialect may start the VALUES with a row that types its columns, matching no row
// (Dialect::values_typing_row). Throws
// UsageError for a column the table lacks, an empty `set` or `match`, `rows` below 1, or a
// dialect without update_from_values().
std::string update_from_values_sql(const Table& table, std::span<const std::string> set,
                                   std::span<const std::string> match, int rows,
                                   const Dialect& dialect);

}  // namespace strata::sql
