// Rendering expressions into SQL text: the Compiler and each expression node's render().
#include <fmt/format.h>

#include "nodes.hpp"

namespace strata::sql::detail {
// NULL is NULL whatever its type; text stands in.
Type type_of(ValueKind kind) {
  switch (kind) {
    case ValueKind::null:
    case ValueKind::text:
      return Type::text();
    case ValueKind::integer:
      return Type::biginteger();
    case ValueKind::real:
      return Type::float64();
    case ValueKind::blob:
      return Type::binary();
    case ValueKind::boolean:
      return Type::boolean();
    case ValueKind::date:
      return Type::date();
    case ValueKind::time:
      return Type::time();
    case ValueKind::datetime:
      return Type::datetime();
    case ValueKind::timestamp:
      return Type::datetime_tz();
    case ValueKind::uuid:
      return Type::uuid();
    case ValueKind::json:
      return Type::json();
  }
  return Type::text();
}

// Compiler ----------------------------------------------------------------------------------

void Compiler::parameter(const ParamNode& param) {
  if (literals_) {
    literal(param, type_of(param.value.kind()));
    return;
  }
  out_.params.push_back(param.value);
  if (!param.name.empty()) {
    out_.bindings.push_back({out_.params.size() - 1, param.name, param.required});
  }
  out_.sql += dialect_.placeholder(static_cast<int>(out_.params.size()));
}

void Compiler::value(const Expr& value, const Type& type) {
  const auto* param = literals_ ? dynamic_cast<const ParamNode*>(&value.node()) : nullptr;
  if (param) {
    literal(*param, type);
  } else {
    expr(value);
  }
}

void Compiler::literal(const ParamNode& param, const Type& type) {
  if (param.required) {
    misuse(
        fmt::format("bindparam '{}' has no value to write into the SQL text; give it a "
                    "default, or run the statement with its value",
                    param.name));
  }
  out_.sql += dialect_.literal(param.value, type);
}

void Compiler::expr(const Expr& e, int min_precedence) {
  const ExprNode& node = e.node();
  if (node.precedence() < min_precedence) {
    out_.sql += '(';
    node.render(*this);
    out_.sql += ')';
  } else {
    node.render(*this);
  }
}

void Compiler::list(const std::vector<Expr>& exprs) {
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    if (i > 0) out_.sql += ", ";
    expr(exprs[i]);
  }
}

void Compiler::subquery(const SelectNode& select) {
  out_.sql += '(';
  select.render(*this);
  out_.sql += ')';
}

void Compiler::clause(std::string_view keyword, const Expr& e) {
  if (e.empty()) return;
  out_.sql += keyword;
  expr(e);
}

void Compiler::columns(const SourceNode& table, const std::vector<std::size_t>& indexes) {
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    if (i > 0) out_.sql += ", ";
    identifier(table.columns[indexes[i]]);
  }
}

void Compiler::assignments(const SourceNode& table, const std::vector<SetItem>& set) {
  for (std::size_t i = 0; i < set.size(); ++i) {
    if (i > 0) out_.sql += ", ";
    identifier(table.columns[set[i].column]);
    out_.sql += " = ";
    value(set[i].value, table.types[set[i].column]);
  }
}

// Expression nodes --------------------------------------------------------------------------

void ColumnNode::render(Compiler& out) const {
  if (qualified) {
    out.identifier(source->name());
    out << ".";
  }
  out.identifier(source->columns[index]);
}

void ParamNode::render(Compiler& out) const {
  out.parameter(*this);
}

void CastNode::render(Compiler& out) const {
  out << "CAST(";
  out.expr(operand);
  out << " AS " << out.dialect().type_sql(type) << ")";
}

void UnaryNode::render(Compiler& out) const {
  out << prefix;
  out.expr(operand, operand_min);
  out << suffix;
}

void BinaryNode::render(Compiler& out) const {
  // Comparisons do not chain, and a - (b - c) keeps its parentheses: the right operand must
  // bind more tightly than this operator.
  int left_min = precedence_ == kComparison ? kAdditive : precedence_;
  out.expr(lhs, left_min);
  if (op.empty()) {
    out << " " << out.dialect().ilike_operator() << " ";
  } else {
    out << op;
  }
  out.expr(rhs, precedence_ + 1);
}

void ConnectiveNode::render(Compiler& out) const {
  // AND inside OR gets parentheses too: not needed by SQL, but by whoever reads it.
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (i > 0) out << (conjunction ? " AND " : " OR ");
    out.expr(terms[i], kNot);
  }
}

void InNode::render(Compiler& out) const {
  if (!subquery && items.empty()) {
    // `x IN ()` is not SQL; an empty list holds nothing, whatever x is.
    out << (negated ? "1 = 1" : "1 = 0");
    return;
  }
  out.expr(lhs, kAdditive);
  out << (negated ? " NOT IN " : " IN ");
  if (subquery) {
    out.subquery(*subquery);
    return;
  }
  out << "(";
  out.list(items);
  out << ")";
}

void BetweenNode::render(Compiler& out) const {
  out.expr(operand, kAdditive);
  out << (negated ? " NOT BETWEEN " : " BETWEEN ");
  out.expr(low, kAdditive);
  out << " AND ";
  out.expr(high, kAdditive);
}

void FunctionNode::render(Compiler& out) const {
  out << name << "(";
  if (form == Form::star) out << "*";
  if (form == Form::distinct) out << "DISTINCT ";
  out.list(args);
  out << ")";
}

void LabelNode::render(Compiler& out) const {
  operand.node().render(out);
}

void SubqueryNode::render(Compiler& out) const {
  if (exists) out << "EXISTS ";
  out.subquery(*select);
}

void SourceNode::render(Compiler& out) const {
  if (subquery) {
    out.subquery(*subquery);
  } else {
    out.identifier(table);
  }
  if (!alias.name.empty()) {
    out << " AS ";
    out.identifier(alias);
  }
}

}  // namespace strata::sql::detail
