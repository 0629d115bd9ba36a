// The private side of the expression tree: the node types behind Expr, Source and the
// statements, and the Compiler that renders them into SQL text and parameters.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/sql/statement.hpp"

namespace strata::sql::detail {

class Compiler;
struct SelectNode;

// How tightly an expression binds; an operand that binds less tightly than its place
// requires is put in parentheses. Comparisons, LIKE, IN, BETWEEN and IS share one level and
// never nest without parentheses, because SQLite and PostgreSQL order them differently.
enum Precedence : int {
  kLowest = 0,
  kOr,
  kAnd,
  kNot,
  kComparison,
  kAdditive,
  kMultiplicative,
  kUnary,
  kPrimary,
};

// Throws UsageError: the statement or expression was built wrongly.
[[noreturn]] void misuse(const std::string& message);
// A parameter given a value while building, cast to the type of that value's kind; any
// other expression as it is.
Expr typed(const Expr& expr);
// The column type a value of `kind` is written for where no column gives one.
Type type_of(ValueKind kind);

struct ExprNode {
  virtual ~ExprNode() = default;
  virtual void render(Compiler& out) const = 0;
  virtual int precedence() const noexcept { return kPrimary; }
  // The name of the column this expression gives in a select list, or empty.
  virtual std::string_view output_name() const noexcept { return {}; }
};

// A name with its quoted form, worked out once when a Source is made: quoting checks a list of
// reserved words, too slow to repeat at every compile. Dialect::quote is the same for every
// dialect, so one quoted form serves them all.
struct Identifier {
  Identifier() = default;
  explicit Identifier(std::string text);

  std::string name;
  std::string quoted;
};

// A table (under its name or an alias) or an aliased subquery.
struct SourceNode {
  Identifier table;  // empty for a subquery
  Identifier alias;  // empty: the table under its own name
  std::vector<Identifier> columns;
  std::vector<Type> types;  // a table's, by column: the type a literal value is written for
  std::shared_ptr<const SelectNode> subquery;

  const Identifier& name() const noexcept { return alias.name.empty() ? table : alias; }
  // Throws UsageError naming the columns there are when `column` is not one of them.
  std::size_t index_of(std::string_view column) const;
  void render(Compiler& out) const;
};

// A column of a source, qualified by the source's name or alias unless `qualified` is false.
struct ColumnNode final : ExprNode {
  ColumnNode(std::shared_ptr<const SourceNode> s, std::size_t i, bool q)
      : source(std::move(s)), index(i), qualified(q) {}
  void render(Compiler& out) const override;
  std::string_view output_name() const noexcept override { return source->columns[index].name; }

  std::shared_ptr<const SourceNode> source;
  std::size_t index;
  bool qualified;
};

// A bound parameter: a value given when the expression was built, or a bindparam whose value
// comes at execution (then `name` is set).
struct ParamNode final : ExprNode {
  ParamNode(Value v, std::string n, bool r)
      : value(std::move(v)), name(std::move(n)), required(r) {}
  void render(Compiler& out) const override;

  Value value;
  std::string name;
  bool required;
};

struct CastNode final : ExprNode {
  CastNode(Expr e, Type t) : operand(std::move(e)), type(std::move(t)) {}
  void render(Compiler& out) const override;

  Expr operand;
  Type type;
};

// NOT x, -x, x IS NULL, x IS NOT NULL.
struct UnaryNode final : ExprNode {
  UnaryNode(std::string_view p, Expr e, std::string_view s, int prec, int operand_prec)
      : prefix(p), operand(std::move(e)), suffix(s), precedence_(prec), operand_min(operand_prec) {}
  void render(Compiler& out) const override;
  int precedence() const noexcept override { return precedence_; }

  std::string_view prefix;
  Expr operand;
  std::string_view suffix;
  int precedence_;
  int operand_min;
};

// Comparisons, arithmetic, LIKE. An empty `op` stands for the dialect's ILIKE.
struct BinaryNode final : ExprNode {
  BinaryNode(Expr l, std::string_view o, Expr r, int prec)
      : lhs(std::move(l)), op(o), rhs(std::move(r)), precedence_(prec) {}
  void render(Compiler& out) const override;
  int precedence() const noexcept override { return precedence_; }

  Expr lhs;
  std::string_view op;
  Expr rhs;
  int precedence_;
};

// AND or OR over two or more conditions.
struct ConnectiveNode final : ExprNode {
  ConnectiveNode(bool is_and, std::vector<Expr> items)
      : conjunction(is_and), terms(std::move(items)) {}
  void render(Compiler& out) const override;
  int precedence() const noexcept override { return conjunction ? kAnd : kOr; }

  bool conjunction;
  std::vector<Expr> terms;
};

// x [NOT] IN (items...) or x [NOT] IN (subquery).
struct InNode final : ExprNode {
  InNode(Expr l, bool n, std::vector<Expr> i, std::shared_ptr<const SelectNode> s)
      : lhs(std::move(l)), negated(n), items(std::move(i)), subquery(std::move(s)) {}
  void render(Compiler& out) const override;
  int precedence() const noexcept override { return kComparison; }

  Expr lhs;
  bool negated;
  std::vector<Expr> items;
  std::shared_ptr<const SelectNode> subquery;
};

struct BetweenNode final : ExprNode {
  BetweenNode(Expr e, bool n, Expr lo, Expr hi)
      : operand(std::move(e)), negated(n), low(std::move(lo)), high(std::move(hi)) {}
  void render(Compiler& out) const override;
  int precedence() const noexcept override { return kComparison; }

  Expr operand;
  bool negated;
  Expr low;
  Expr high;
};

// name(args), name(*) or name(DISTINCT arg).
struct FunctionNode final : ExprNode {
  enum class Form { args, star, distinct };
  FunctionNode(std::string n, std::vector<Expr> a, Form f)
      : name(std::move(n)), args(std::move(a)), form(f) {}
  void render(Compiler& out) const override;

  std::string name;
  std::vector<Expr> args;
  Form form;
};

struct LabelNode final : ExprNode {
  LabelNode(Expr e, std::string n) : operand(std::move(e)), name(std::move(n)) {}
  void render(Compiler& out) const override;
  int precedence() const noexcept override { return operand.node().precedence(); }
  std::string_view output_name() const noexcept override { return name; }

  Expr operand;
  std::string name;
};

// (SELECT ...) as a value, or EXISTS (SELECT ...).
struct SubqueryNode final : ExprNode {
  SubqueryNode(std::shared_ptr<const SelectNode> s, bool e) : select(std::move(s)), exists(e) {}
  void render(Compiler& out) const override;

  std::shared_ptr<const SelectNode> select;
  bool exists;
};

// The compiled forms of one statement, one slot per dialect (by Dialect::index()). Filled at
// most once per slot by whichever thread compiles first; readers then share it without locking.
class CompiledCache {
 public:
  CompiledCache() = default;
  // A copy starts empty: copies are made in order to be changed.
  CompiledCache(const CompiledCache& /*other*/) noexcept {}
  CompiledCache& operator=(const CompiledCache&) = delete;
  ~CompiledCache() { clear(); }

  const Compiled* find(const Dialect& dialect) const noexcept {
    return slots_[dialect.index()].load(std::memory_order_acquire);
  }
  // Keeps `compiled` unless another thread stored one first; returns the one kept.
  const Compiled& store(const Dialect& dialect, Compiled compiled) const;
  void clear() noexcept;

 private:
  mutable std::array<std::atomic<const Compiled*>, Dialect::kMaxDialects> slots_{};
};

struct StatementNode {
  virtual ~StatementNode() = default;
  virtual void render(Compiler& out) const = 0;
  virtual std::shared_ptr<StatementNode> clone() const = 0;

  CompiledCache cache;
};

struct Join {
  bool left;
  Source source;
  Expr on;
};

struct FromItem {
  Source source;
  std::vector<Join> joins;
};

// Gives a statement node its clone(): a copy of everything but the compiled forms.
template <class Node, class Base = StatementNode>
struct Cloneable : Base {
  using Base::Base;
  std::shared_ptr<StatementNode> clone() const override {
    return std::make_shared<Node>(static_cast<const Node&>(*this));
  }
};

struct SelectNode final : Cloneable<SelectNode> {
  void render(Compiler& out) const override;
  std::vector<std::string> output_names() const;

  std::vector<Expr> columns;
  bool distinct = false;
  std::vector<FromItem> from;
  Expr where;
  std::vector<Expr> group_by;
  Expr having;
  std::vector<Ordering> order_by;
  Expr limit;
  Expr offset;
};

// `column = value`, the column given by its index in the target table.
struct SetItem {
  std::size_t column;
  Expr value;
};

// What INSERT, UPDATE and DELETE share: one target table and RETURNING.
struct TargetNode : StatementNode {
  explicit TargetNode(const Table& t) : target(t) {}
  // Throws UsageError naming the table's columns when a column is not one of them.
  std::vector<std::size_t> column_indexes(const std::vector<std::string>& names) const;
  std::vector<SetItem> set_items(std::vector<Assignment> assignments) const;
  void add_returning(const std::vector<Expr>& columns);
  void render_returning(Compiler& out) const;
  const SourceNode& table() const noexcept { return target.node(); }

  Source target;
  std::vector<Expr> returning;
};

struct Conflict {
  std::vector<std::size_t> target;
  bool do_update = false;
  std::vector<SetItem> set;
  Expr where;
};

struct InsertNode final : Cloneable<InsertNode, TargetNode> {
  using Cloneable::Cloneable;
  void render(Compiler& out) const override;

  std::vector<std::size_t> columns;  // those of the first row
  std::vector<std::vector<Expr>> rows;
  std::optional<Conflict> conflict;
};

struct UpdateNode final : Cloneable<UpdateNode, TargetNode> {
  using Cloneable::Cloneable;
  void render(Compiler& out) const override;

  std::vector<SetItem> set;
  Expr where;
};

struct DeleteNode final : Cloneable<DeleteNode, TargetNode> {
  using Cloneable::Cloneable;
  void render(Compiler& out) const override;

  Expr where;
};

// Writes SQL text and collects parameters while nodes render themselves into it; with
// `literals`, writes each parameter's value into the text instead (sql::literal_sql).
class Compiler {
 public:
  Compiler(const Dialect& dialect, Compiled& out, bool literals = false) noexcept
      : dialect_(dialect), out_(out), literals_(literals) {}

  const Dialect& dialect() const noexcept { return dialect_; }
  Compiler& operator<<(std::string_view text) {
    out_.sql += text;
    return *this;
  }
  void identifier(std::string_view name) { out_.sql += dialect_.quote(name); }
  void identifier(const Identifier& id) { out_.sql += id.quoted; }
  // Columns of `table` by index, separated by ", ".
  void columns(const SourceNode& table, const std::vector<std::size_t>& indexes);
  void parameter(const ParamNode& param);
  // `value` given to a column of type `type` (INSERT VALUES, SET): a literal is written for the
  // column's type rather than for its value's kind.
  void value(const Expr& value, const Type& type);
  // `expr`, in parentheses when it binds less tightly than `min_precedence`.
  void expr(const Expr& expr, int min_precedence = kLowest);
  // Expressions separated by ", ".
  void list(const std::vector<Expr>& exprs);
  // A nested SELECT in parentheses.
  void subquery(const SelectNode& select);
  // ` RETURNING ...`, ` WHERE ...` and the like: nothing when `expr` is empty.
  void clause(std::string_view keyword, const Expr& expr);
  void assignments(const SourceNode& table, const std::vector<SetItem>& set);

 private:
  void literal(const ParamNode& param, const Type& type);

  const Dialect& dialect_;
  Compiled& out_;
  bool literals_;
};

}  // namespace strata::sql::detail
