// Rendering statements: SELECT, INSERT (with ON CONFLICT), UPDATE, DELETE. The clause order
// and the upsert syntax are the same on SQLite and PostgreSQL; what differs (quoting,
// placeholders, ILIKE, type names) is asked of the dialect by the Compiler.
#include "nodes.hpp"

namespace strata::sql::detail {
namespace {

void render_from(Compiler& out, const std::vector<FromItem>& from) {
  for (std::size_t i = 0; i < from.size(); ++i) {
    out << (i == 0 ? " FROM " : ", ");
    from[i].source.node().render(out);
    for (const auto& join : from[i].joins) {
      out << (join.left ? " LEFT JOIN " : " JOIN ");
      join.source.node().render(out);
      out << " ON ";
      out.expr(join.on);
    }
  }
}

void render_select_list(Compiler& out, const std::vector<Expr>& columns) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out << ", ";
    out.expr(columns[i]);
    // A label names the column here only; elsewhere a labelled expression is the expression.
    if (const auto* label = dynamic_cast<const LabelNode*>(&columns[i].node())) {
      out << " AS ";
      out.identifier(label->name);
    }
  }
}

void render_order_by(Compiler& out, const std::vector<Ordering>& terms) {
  for (std::size_t i = 0; i < terms.size(); ++i) {
    out << (i == 0 ? " ORDER BY " : ", ");
    out.expr(terms[i].expr);
    if (terms[i].direction == Direction::asc) out << " ASC";
    if (terms[i].direction == Direction::desc) out << " DESC";
    if (terms[i].nulls == Nulls::first) out << " NULLS FIRST";
    if (terms[i].nulls == Nulls::last) out << " NULLS LAST";
  }
}

void render_conflict(Compiler& out, const SourceNode& table, const Conflict& conflict) {
  out << " ON CONFLICT";
  if (!conflict.target.empty()) {
    out << " (";
    out.columns(table, conflict.target);
    out << ")";
  }
  if (!conflict.do_update) {
    out << " DO NOTHING";
    return;
  }
  out << " DO UPDATE SET ";
  out.assignments(table, conflict.set);
  out.clause(" WHERE ", conflict.where);
}

void render_rows(Compiler& out, const SourceNode& table, const std::vector<std::size_t>& columns,
                 const std::vector<std::vector<Expr>>& rows) {
  out << " VALUES ";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out << (i > 0 ? ", (" : "(");
    for (std::size_t j = 0; j < rows[i].size(); ++j) {
      if (j > 0) out << ", ";
      out.value(rows[i][j], table.types[columns[j]]);
    }
    out << ")";
  }
}

}  // namespace

void SelectNode::render(Compiler& out) const {
  out << (distinct ? "SELECT DISTINCT " : "SELECT ");
  render_select_list(out, columns);
  render_from(out, from);
  out.clause(" WHERE ", where);
  if (!group_by.empty()) {
    out << " GROUP BY ";
    out.list(group_by);
  }
  out.clause(" HAVING ", having);
  render_order_by(out, order_by);
  if (!offset.empty() && limit.empty()) {
    // SQLite accepts OFFSET only after LIMIT, and the two backends spell "no limit" apart.
    misuse("offset() needs a limit() as well: SQLite accepts OFFSET only after LIMIT");
  }
  out.clause(" LIMIT ", limit);
  out.clause(" OFFSET ", offset);
}

std::vector<std::string> SelectNode::output_names() const {
  std::vector<std::string> names;
  for (const auto& c : columns) {
    auto name = c.node().output_name();
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

void TargetNode::render_returning(Compiler& out) const {
  if (returning.empty()) return;
  out << " RETURNING ";
  out.list(returning);
}

void InsertNode::render(Compiler& out) const {
  out << "INSERT INTO ";
  out.identifier(table().name());
  if (rows.empty()) {
    out << " DEFAULT VALUES";
  } else {
    out << " (";
    out.columns(table(), columns);
    out << ")";
    render_rows(out, table(), columns, rows);
  }
  if (conflict) render_conflict(out, table(), *conflict);
  render_returning(out);
}

void UpdateNode::render(Compiler& out) const {
  if (set.empty()) misuse("an UPDATE needs set() with at least one column");
  out << "UPDATE ";
  out.identifier(table().name());
  out << " SET ";
  out.assignments(table(), set);
  out.clause(" WHERE ", where);
  render_returning(out);
}

void DeleteNode::render(Compiler& out) const {
  out << "DELETE FROM ";
  out.identifier(table().name());
  out.clause(" WHERE ", where);
  render_returning(out);
}

}  // namespace strata::sql::detail
