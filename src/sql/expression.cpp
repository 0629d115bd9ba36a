// Building expressions: each function makes one node. Nothing here knows a dialect.
#include "strata/sql/expression.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "../core/sql_text.hpp"
#include "nodes.hpp"

namespace strata::sql {
namespace {

template <class Node, class... Args>
Expr make(Args&&... args) {
  return Expr(std::make_shared<const Node>(std::forward<Args>(args)...));
}

const detail::ParamNode* fixed_param(const Expr& e) {
  const auto* p = dynamic_cast<const detail::ParamNode*>(&e.node());
  return p && p->name.empty() ? p : nullptr;
}

// The operands, each cast by detail::typed() when every one of them is a value given while
// building: a parameter beside a column or a function needs no cast.
std::vector<Expr> typed_if_only_params(std::vector<Expr> operands) {
  using detail::typed;
  if (!std::all_of(operands.begin(), operands.end(), [](const Expr& e) { return fixed_param(e); }))
    return operands;
  for (auto& e : operands) e = typed(e);
  return operands;
}

Expr binary(const Expr& lhs, std::string_view op, const Expr& rhs, int precedence) {
  auto operands = typed_if_only_params({lhs, rhs});
  return make<detail::BinaryNode>(operands[0], op, operands[1], precedence);
}

bool is_null_value(const Expr& e) {
  const auto* p = fixed_param(e);
  return p && p->value.is_null();
}

Expr connective(bool conjunction, std::vector<Expr> conditions) {
  std::vector<Expr> terms;
  for (auto& c : conditions) {
    if (c.empty()) detail::misuse("an empty condition was given to and_() or or_()");
    // a AND (b AND c) is a AND b AND c: flattening keeps the text free of needless parentheses.
    const auto* same = dynamic_cast<const detail::ConnectiveNode*>(&c.node());
    if (same && same->conjunction == conjunction) {
      terms.insert(terms.end(), same->terms.begin(), same->terms.end());
    } else {
      terms.push_back(std::move(c));
    }
  }
  if (terms.empty()) detail::misuse("and_() and or_() need at least one condition");
  if (terms.size() == 1) return terms.front();
  return make<detail::ConnectiveNode>(conjunction, std::move(terms));
}

std::shared_ptr<const detail::SelectNode> select_node(const Select& select) {
  return std::static_pointer_cast<const detail::SelectNode>(select.shared_node());
}

Expr in_list(const Expr& lhs, std::vector<Expr> items, bool negated) {
  items.insert(items.begin(), lhs);
  items = typed_if_only_params(std::move(items));
  Expr typed_lhs = items.front();
  items.erase(items.begin());
  return make<detail::InNode>(typed_lhs, negated, std::move(items), nullptr);
}

Expr aggregate(std::string name, const Expr& e, detail::FunctionNode::Form form) {
  return make<detail::FunctionNode>(std::move(name), typed_if_only_params({e}), form);
}

}  // namespace

namespace detail {
void misuse(const std::string& message) {
  throw UsageError(message);
}

// PostgreSQL infers a parameter's type from what stands beside it (`price > $1`). Where only
// parameters stand (`$1 + $2`, `$1 IS NULL`, a select list), it cannot, so a value given while
// building is cast to the type of its kind, for the kinds whose cast changes nothing on SQLite.
// Dates, times, UUIDs and JSON are left alone: SQLite casts to their type names with NUMERIC
// affinity, which turns '2024-01-02' into 2024.
Expr typed(const Expr& e) {
  const auto* p = fixed_param(e);
  if (!p) return e;
  switch (p->value.kind()) {
    case ValueKind::integer:
    case ValueKind::real:
    case ValueKind::text:
    case ValueKind::boolean:
    case ValueKind::blob:
      return cast(e, type_of(p->value.kind()));
    case ValueKind::null:
    case ValueKind::date:
    case ValueKind::time:
    case ValueKind::datetime:
    case ValueKind::timestamp:
    case ValueKind::uuid:
    case ValueKind::json:
      return e;
  }
  return e;
}
}  // namespace detail

// Expr --------------------------------------------------------------------------------------

const detail::ExprNode& Expr::node() const {
  if (!node_) detail::misuse("an empty sql::Expr was used; give it an expression first");
  return *node_;
}

Expr Expr::parameter(Value value) {
  return make<detail::ParamNode>(std::move(value), std::string(), false);
}

Expr Expr::label(std::string name) const {
  return make<detail::LabelNode>(*this, std::move(name));
}

Ordering Expr::asc() const {
  return {*this, Direction::asc};
}
Ordering Expr::desc() const {
  return {*this, Direction::desc};
}

Expr Expr::is_null() const {
  return make<detail::UnaryNode>("", detail::typed(*this), " IS NULL", detail::kComparison,
                                 detail::kAdditive);
}
Expr Expr::is_not_null() const {
  return make<detail::UnaryNode>("", detail::typed(*this), " IS NOT NULL", detail::kComparison,
                                 detail::kAdditive);
}

Expr Expr::like(const Expr& pattern) const {
  return binary(*this, " LIKE ", pattern, detail::kComparison);
}
Expr Expr::not_like(const Expr& pattern) const {
  return binary(*this, " NOT LIKE ", pattern, detail::kComparison);
}
Expr Expr::ilike(const Expr& pattern) const {
  return binary(*this, "", pattern, detail::kComparison);
}

Expr Expr::between(const Expr& low, const Expr& high) const {
  auto operands = typed_if_only_params({*this, low, high});
  return make<detail::BetweenNode>(operands[0], false, operands[1], operands[2]);
}
Expr Expr::not_between(const Expr& low, const Expr& high) const {
  auto operands = typed_if_only_params({*this, low, high});
  return make<detail::BetweenNode>(operands[0], true, operands[1], operands[2]);
}

Expr Expr::in_(std::vector<Expr> items) const {
  return in_list(*this, std::move(items), false);
}
Expr Expr::not_in(std::vector<Expr> items) const {
  return in_list(*this, std::move(items), true);
}
Expr Expr::in_(const Select& subquery) const {
  return make<detail::InNode>(*this, false, std::vector<Expr>{}, select_node(subquery));
}
Expr Expr::not_in(const Select& subquery) const {
  return make<detail::InNode>(*this, true, std::vector<Expr>{}, select_node(subquery));
}

// Operators ---------------------------------------------------------------------------------

Expr operator==(const Expr& lhs, const Expr& rhs) {
  if (is_null_value(rhs)) return lhs.is_null();
  if (is_null_value(lhs)) return rhs.is_null();
  return binary(lhs, " = ", rhs, detail::kComparison);
}
Expr operator!=(const Expr& lhs, const Expr& rhs) {
  if (is_null_value(rhs)) return lhs.is_not_null();
  if (is_null_value(lhs)) return rhs.is_not_null();
  return binary(lhs, " <> ", rhs, detail::kComparison);
}
Expr operator<(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " < ", rhs, detail::kComparison);
}
Expr operator<=(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " <= ", rhs, detail::kComparison);
}
Expr operator>(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " > ", rhs, detail::kComparison);
}
Expr operator>=(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " >= ", rhs, detail::kComparison);
}
Expr operator+(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " + ", rhs, detail::kAdditive);
}
Expr operator-(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " - ", rhs, detail::kAdditive);
}
Expr operator*(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " * ", rhs, detail::kMultiplicative);
}
Expr operator/(const Expr& lhs, const Expr& rhs) {
  return binary(lhs, " / ", rhs, detail::kMultiplicative);
}
Expr operator-(const Expr& operand) {
  return make<detail::UnaryNode>("-", detail::typed(operand), "", detail::kUnary, detail::kPrimary);
}

Expr operator&&(const Expr& lhs, const Expr& rhs) {
  return and_({lhs, rhs});
}
Expr operator||(const Expr& lhs, const Expr& rhs) {
  return or_({lhs, rhs});
}
Expr operator!(const Expr& operand) {
  return not_(operand);
}
Expr and_(std::vector<Expr> conditions) {
  return connective(true, std::move(conditions));
}
Expr or_(std::vector<Expr> conditions) {
  return connective(false, std::move(conditions));
}
Expr not_(const Expr& condition) {
  return make<detail::UnaryNode>("NOT ", detail::typed(condition), "", detail::kNot,
                                 detail::kPrimary);
}

// Functions ---------------------------------------------------------------------------------

Expr count() {
  return make<detail::FunctionNode>("count", std::vector<Expr>{}, detail::FunctionNode::Form::star);
}
Expr count(const Expr& expr) {
  return aggregate("count", expr, detail::FunctionNode::Form::args);
}
Expr count_distinct(const Expr& expr) {
  return aggregate("count", expr, detail::FunctionNode::Form::distinct);
}
Expr sum(const Expr& expr) {
  return aggregate("sum", expr, detail::FunctionNode::Form::args);
}
Expr min(const Expr& expr) {
  return aggregate("min", expr, detail::FunctionNode::Form::args);
}
Expr max(const Expr& expr) {
  return aggregate("max", expr, detail::FunctionNode::Form::args);
}
Expr avg(const Expr& expr) {
  return aggregate("avg", expr, detail::FunctionNode::Form::args);
}

Expr func(std::string_view name, std::vector<Expr> args) {
  // The name is written into the SQL as it is, so it must be a plain word.
  bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!plain) {
    detail::misuse(fmt::format(
        "'{}' is not a function name: use letters, digits and '_' only (schema-qualified "
        "functions are not supported)",
        name));
  }
  return make<detail::FunctionNode>(std::string(name), typed_if_only_params(std::move(args)),
                                    detail::FunctionNode::Form::args);
}

Expr cast(const Expr& expr, const Type& type) {
  return make<detail::CastNode>(expr, type);
}

Expr bindparam(std::string name) {
  if (name.empty()) detail::misuse("bindparam() needs a name");
  return make<detail::ParamNode>(Value(), std::move(name), true);
}
Expr bindparam(std::string name, Value default_value) {
  if (name.empty()) detail::misuse("bindparam() needs a name");
  return make<detail::ParamNode>(std::move(default_value), std::move(name), false);
}

Expr exists(const Select& subquery) {
  return make<detail::SubqueryNode>(select_node(subquery), true);
}
Expr scalar(const Select& subquery) {
  return make<detail::SubqueryNode>(select_node(subquery), false);
}

Expr excluded(const Table& table, std::string_view column) {
  return Source(table).as("excluded").c(column);
}

// Source ------------------------------------------------------------------------------------

namespace detail {

// Every dialect quotes as Dialect::quote does (it is not virtual): SQL's own quoting.
Identifier::Identifier(std::string text)
    : name(std::move(text)), quoted(strata::detail::quote_identifier(name)) {}

std::size_t SourceNode::index_of(std::string_view column) const {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const Identifier& c) { return c.name == column; });
  if (it == columns.end()) {
    std::vector<std::string_view> names;
    for (const auto& c : columns) names.push_back(c.name);
    misuse(fmt::format("'{}' has no column '{}'; its columns are: {}", name().name, column,
                       fmt::join(names, ", ")));
  }
  return static_cast<std::size_t>(it - columns.begin());
}

}  // namespace detail

Source::Source(const Table& table) {
  auto node = std::make_shared<detail::SourceNode>();
  node->table = detail::Identifier(table.name);
  node->columns.reserve(table.columns.size());
  node->types.reserve(table.columns.size());
  for (const auto& c : table.columns) {
    node->columns.emplace_back(c.name);
    node->types.push_back(c.type);
  }
  node_ = std::move(node);
}

Source Source::as(std::string alias) const {
  if (alias.empty()) detail::misuse("an alias cannot be empty");
  auto node = std::make_shared<detail::SourceNode>(*node_);
  node->alias = detail::Identifier(std::move(alias));
  return Source(std::move(node));
}

Expr Source::c(std::string_view column) const {
  return make<detail::ColumnNode>(node_, node_->index_of(column), true);
}

Expr Source::unqualified(std::string_view column) const {
  return make<detail::ColumnNode>(node_, node_->index_of(column), false);
}

const std::string& Source::name() const noexcept {
  return node_->name().name;
}

}  // namespace strata::sql
