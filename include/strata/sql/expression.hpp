// SQL expressions as small immutable values: column references, bound parameters, operators,
// functions, subqueries. Operators build trees, they compare nothing: `items.c("price") > 10`
// is an Expr that compiles to `items.price > ?` with 10 bound. Every value given here is bound
// as a parameter, never written into the SQL text.
#pragma once

#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "strata/core/value.hpp"
#include "strata/schema/table.hpp"
#include "strata/schema/type.hpp"

namespace strata::sql {

namespace detail {
struct ExprNode;
struct SourceNode;
}  // namespace detail

class Select;
struct Ordering;

// Types whose values become bound parameters where an expression is expected.
template <class T>
concept ValueLike = std::is_constructible_v<Value, T>;
// Containers of such values, for in_().
template <class R>
concept ValueRange = requires(const R& r) {
  { *std::begin(r) } -> ValueLike;
  std::end(r);
};

// An SQL expression. A value type: copies share the same immutable tree, so an Expr may be
// copied and read from any number of threads. A default-constructed Expr is empty.
class Expr {
 public:
  Expr() = default;
  // A bound parameter holding `value`.
  template <ValueLike T>
  Expr(T&& value) : Expr(parameter(Value(std::forward<T>(value)))) {}
  explicit Expr(std::shared_ptr<const detail::ExprNode> node) noexcept : node_(std::move(node)) {}

  bool empty() const noexcept { return !node_; }
  const detail::ExprNode& node() const;
  const std::shared_ptr<const detail::ExprNode>& shared() const noexcept { return node_; }

  // `expr AS name` in a select list; elsewhere the expression itself.
  Expr label(std::string name) const;
  Ordering asc() const;
  Ordering desc() const;

  Expr is_null() const;
  Expr is_not_null() const;
  Expr like(const Expr& pattern) const;
  Expr not_like(const Expr& pattern) const;
  // Case-insensitive LIKE: ILIKE on PostgreSQL, LIKE on SQLite (which ignores ASCII case).
  Expr ilike(const Expr& pattern) const;
  Expr between(const Expr& low, const Expr& high) const;
  Expr not_between(const Expr& low, const Expr& high) const;
  // `expr IN (?, ?, ...)`, one parameter per item; an empty list is false (NOT IN: true).
  Expr in_(std::vector<Expr> items) const;
  Expr not_in(std::vector<Expr> items) const;
  // Any range of values: a std::vector<std::int64_t>, a std::set<std::string>...
  template <ValueRange Range>
  Expr in_(const Range& values) const {
    return in_(to_exprs(values));
  }
  template <ValueRange Range>
  Expr not_in(const Range& values) const {
    return not_in(to_exprs(values));
  }
  Expr in_(const Select& subquery) const;
  Expr not_in(const Select& subquery) const;

  // Operators, found only where an Expr is involved (hidden friends), so that a value
  // converting to Expr does not make other types' operators ambiguous.
  // Comparisons. `expr == nullptr` becomes `expr IS NULL`, and `!= nullptr` IS NOT NULL.
  friend Expr operator==(const Expr& lhs, const Expr& rhs);
  friend Expr operator!=(const Expr& lhs, const Expr& rhs);
  friend Expr operator<(const Expr& lhs, const Expr& rhs);
  friend Expr operator<=(const Expr& lhs, const Expr& rhs);
  friend Expr operator>(const Expr& lhs, const Expr& rhs);
  friend Expr operator>=(const Expr& lhs, const Expr& rhs);
  // Arithmetic.
  friend Expr operator+(const Expr& lhs, const Expr& rhs);
  friend Expr operator-(const Expr& lhs, const Expr& rhs);
  friend Expr operator*(const Expr& lhs, const Expr& rhs);
  friend Expr operator/(const Expr& lhs, const Expr& rhs);
  friend Expr operator-(const Expr& operand);
  // Logic: AND, OR, NOT. These build SQL; they do not short-circuit.
  friend Expr operator&&(const Expr& lhs, const Expr& rhs);
  friend Expr operator||(const Expr& lhs, const Expr& rhs);
  friend Expr operator!(const Expr& operand);

 private:
  static Expr parameter(Value value);
  template <class Range>
  static std::vector<Expr> to_exprs(const Range& values) {
    std::vector<Expr> out;
    for (const auto& v : values) out.emplace_back(v);
    return out;
  }

  std::shared_ptr<const detail::ExprNode> node_;
};

Expr and_(std::vector<Expr> conditions);
Expr or_(std::vector<Expr> conditions);
Expr not_(const Expr& condition);

// Aggregates; count() is count(*).
Expr count();
Expr count(const Expr& expr);
Expr count_distinct(const Expr& expr);
Expr sum(const Expr& expr);
Expr min(const Expr& expr);
Expr max(const Expr& expr);
Expr avg(const Expr& expr);
// Any SQL function by name (letters, digits and `_`): func("lower", {users.c("email")}).
Expr func(std::string_view name, std::vector<Expr> args);
// CAST(expr AS type), the type written by the dialect.
Expr cast(const Expr& expr, const Type& type);

// A parameter whose value is given when the statement runs: execute(conn, stmt, {{"id", 7}}).
// This is what lets one statement object run again and again without being compiled again.
Expr bindparam(std::string name);
// The same, with a value used when execute() is given none.
Expr bindparam(std::string name, Value default_value);

// `EXISTS (subquery)` and a subquery giving one value, for a select list or a comparison.
Expr exists(const Select& subquery);
Expr scalar(const Select& subquery);

// The row an upsert tried to insert: ON CONFLICT ... DO UPDATE SET name = excluded.name.
// Throws UsageError when `table` has no such column.
Expr excluded(const Table& table, std::string_view column);

enum class Direction { unspecified, asc, desc };
enum class Nulls { unspecified, first, last };

// One term of ORDER BY. A value type, like Expr.
struct Ordering {
  Expr expr;
  Direction direction = Direction::unspecified;
  Nulls nulls = Nulls::unspecified;

  Ordering(Expr e, Direction d = Direction::unspecified, Nulls n = Nulls::unspecified)
      : expr(std::move(e)), direction(d), nulls(n) {}
  Ordering nulls_first() const { return {expr, direction, Nulls::first}; }
  Ordering nulls_last() const { return {expr, direction, Nulls::last}; }
};

// A table or a subquery in a FROM clause, under its own name or an alias. Columns are taken
// from it with c(), which checks that the column exists. A value type, like Expr.
class Source {
 public:
  // The table under its own name. Implicit, so that a Table stands wherever a Source is
  // expected; the column names are copied, so `table` may go away afterwards.
  Source(const Table& table);
  explicit Source(std::shared_ptr<const detail::SourceNode> node) noexcept
      : node_(std::move(node)) {}

  // The same table or subquery under `alias`: for self-joins and shorter names.
  Source as(std::string alias) const;
  // A column of this source, qualified by its name or alias. Throws UsageError naming the
  // columns there are when `column` is not one of them.
  Expr c(std::string_view column) const;
  // The column by its name alone (`price`, not `items.price`), for statements on this one
  // table, whose text need not repeat the table's name.
  Expr unqualified(std::string_view column) const;
  // The alias, or the table's name.
  const std::string& name() const noexcept;
  const detail::SourceNode& node() const noexcept { return *node_; }

 private:
  std::shared_ptr<const detail::SourceNode> node_;
};

}  // namespace strata::sql
