// Building statements, and compiling them once per dialect.
#include "strata/sql/statement.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "nodes.hpp"

namespace strata::sql {
namespace {

// Joins attach to the latest FROM item: `a, b JOIN c ON ...` joins c to b alone.
void add_join(detail::SelectNode& node, detail::Join join) {
  if (node.from.empty()) detail::misuse("join() and left_join() need a from() before them");
  if (join.on.empty()) detail::misuse("a join needs an ON condition");
  node.from.back().joins.push_back(std::move(join));
}

void and_where(Expr& where, const Expr& condition) {
  if (condition.empty()) detail::misuse("where() and having() need a condition");
  where = where.empty() ? condition : where && condition;
}

std::vector<std::string> column_names(const std::vector<Assignment>& row) {
  std::vector<std::string> names;
  names.reserve(row.size());
  for (const auto& a : row) names.push_back(a.column);
  return names;
}

std::vector<std::string_view> column_names(const detail::SourceNode& table,
                                           const std::vector<std::size_t>& indexes) {
  std::vector<std::string_view> names;
  for (auto i : indexes) names.push_back(table.columns[i].name);
  return names;
}

}  // namespace

namespace detail {

const Compiled& CompiledCache::store(const Dialect& dialect, Compiled compiled) const {
  auto fresh = std::make_unique<const Compiled>(std::move(compiled));
  const Compiled* expected = nullptr;
  if (slots_[dialect.index()].compare_exchange_strong(expected, fresh.get(),
                                                      std::memory_order_acq_rel)) {
    return *fresh.release();  // owned by the slot from now on; clear() deletes it
  }
  return *expected;
}

void CompiledCache::clear() noexcept {
  // Taking each pointer back into a unique_ptr deletes what the slot owned.
  for (auto& slot : slots_) std::unique_ptr<const Compiled>(slot.exchange(nullptr));
}

std::vector<std::size_t> TargetNode::column_indexes(const std::vector<std::string>& names) const {
  std::vector<std::size_t> indexes;
  indexes.reserve(names.size());
  for (const auto& name : names) indexes.push_back(table().index_of(name));
  return indexes;
}

std::vector<SetItem> TargetNode::set_items(std::vector<Assignment> assignments) const {
  std::vector<SetItem> items;
  items.reserve(assignments.size());
  for (auto& a : assignments) items.push_back({table().index_of(a.column), std::move(a.value)});
  return items;
}

void TargetNode::add_returning(const std::vector<Expr>& columns) {
  if (columns.empty()) detail::misuse("returning() needs at least one column");
  returning.insert(returning.end(), columns.begin(), columns.end());
}

}  // namespace detail

// Statement ---------------------------------------------------------------------------------

const Compiled& Statement::compiled(const Dialect& dialect) const {
  if (const Compiled* found = node_->cache.find(dialect)) return *found;
  return node_->cache.store(dialect, compile(*this, dialect));
}

detail::StatementNode& Statement::edit_node() {
  if (node_.use_count() > 1) {
    node_ = node_->clone();
  } else {
    node_->cache.clear();
  }
  return *node_;
}

Compiled compile(const Statement& statement, const Dialect& dialect) {
  Compiled out;
  out.sql.reserve(256);
  out.params.reserve(8);
  detail::Compiler compiler(dialect, out);
  statement.node().render(compiler);
  return out;
}

std::string literal_sql(const Statement& statement, const Dialect& dialect) {
  Compiled out;
  detail::Compiler compiler(dialect, out, true);
  statement.node().render(compiler);
  return std::move(out.sql);
}

// Select ------------------------------------------------------------------------------------

Select select(std::vector<Expr> columns) {
  if (columns.empty()) detail::misuse("select() needs at least one column");
  auto node = std::make_shared<detail::SelectNode>();
  for (auto& c : columns) c = detail::typed(c);
  node->columns = std::move(columns);
  return Select(std::move(node));
}

Select& Select::distinct() {
  edit<detail::SelectNode>().distinct = true;
  return *this;
}

Select& Select::from(const Source& source) {
  edit<detail::SelectNode>().from.push_back({source, {}});
  return *this;
}

Select& Select::join(const Source& source, const Expr& on) {
  add_join(edit<detail::SelectNode>(), {false, source, on});
  return *this;
}

Select& Select::left_join(const Source& source, const Expr& on) {
  add_join(edit<detail::SelectNode>(), {true, source, on});
  return *this;
}

Select& Select::where(const Expr& condition) {
  and_where(edit<detail::SelectNode>().where, condition);
  return *this;
}

Select& Select::group_by(std::vector<Expr> exprs) {
  auto& group = edit<detail::SelectNode>().group_by;
  group.insert(group.end(), exprs.begin(), exprs.end());
  return *this;
}

Select& Select::having(const Expr& condition) {
  and_where(edit<detail::SelectNode>().having, condition);
  return *this;
}

Select& Select::order_by(std::vector<Ordering> terms) {
  auto& order = edit<detail::SelectNode>().order_by;
  order.insert(order.end(), terms.begin(), terms.end());
  return *this;
}

Select& Select::limit(const Expr& count) {
  edit<detail::SelectNode>().limit = count;
  return *this;
}

Select& Select::offset(const Expr& count) {
  edit<detail::SelectNode>().offset = count;
  return *this;
}

Source Select::subquery(std::string alias) const {
  if (alias.empty()) detail::misuse("a subquery in FROM needs an alias");
  auto source = std::make_shared<detail::SourceNode>();
  source->alias = detail::Identifier(std::move(alias));
  source->subquery = std::static_pointer_cast<const detail::SelectNode>(shared_node());
  for (auto& name : source->subquery->output_names()) source->columns.emplace_back(std::move(name));
  return Source(std::move(source));
}

// Insert ------------------------------------------------------------------------------------

Insert insert(const Table& table) {
  return Insert(std::make_shared<detail::InsertNode>(table));
}

Insert& Insert::values(std::vector<Assignment> row) {
  auto& node = edit<detail::InsertNode>();
  auto indexes = node.column_indexes(column_names(row));
  if (node.rows.empty()) {
    node.columns = indexes;
  } else if (indexes != node.columns) {
    detail::misuse(fmt::format(
        "every row of an INSERT must give the same columns in the same order: the first row "
        "gives ({}), row {} gives ({})",
        fmt::join(column_names(node.table(), node.columns), ", "), node.rows.size() + 1,
        fmt::join(column_names(row), ", ")));
  }
  std::vector<Expr> values;
  values.reserve(row.size());
  for (auto& a : row) values.push_back(std::move(a.value));
  node.rows.push_back(std::move(values));
  return *this;
}

Insert& Insert::returning(std::vector<Expr> columns) {
  edit<detail::InsertNode>().add_returning(columns);
  return *this;
}

Insert& Insert::on_conflict_do_nothing(std::vector<std::string> target) {
  auto& node = edit<detail::InsertNode>();
  node.conflict = detail::Conflict{node.column_indexes(target), false, {}, {}};
  return *this;
}

Insert& Insert::on_conflict_do_update(std::vector<std::string> target, std::vector<Assignment> set,
                                      const Expr& where) {
  auto& node = edit<detail::InsertNode>();
  if (target.empty() || set.empty()) {
    detail::misuse(
        "on_conflict_do_update() needs the conflicting columns (a primary key or unique "
        "constraint) and at least one column to set");
  }
  node.conflict =
      detail::Conflict{node.column_indexes(target), true, node.set_items(std::move(set)), where};
  return *this;
}

// Update and Delete -------------------------------------------------------------------------

Update update(const Table& table) {
  return Update(std::make_shared<detail::UpdateNode>(table));
}

Update& Update::set(std::vector<Assignment> assignments) {
  auto& node = edit<detail::UpdateNode>();
  auto items = node.set_items(std::move(assignments));
  node.set.insert(node.set.end(), items.begin(), items.end());
  return *this;
}

Update& Update::where(const Expr& condition) {
  and_where(edit<detail::UpdateNode>().where, condition);
  return *this;
}

Update& Update::returning(std::vector<Expr> columns) {
  edit<detail::UpdateNode>().add_returning(columns);
  return *this;
}

Delete delete_(const Table& table) {
  return Delete(std::make_shared<detail::DeleteNode>(table));
}

Delete& Delete::where(const Expr& condition) {
  and_where(edit<detail::DeleteNode>().where, condition);
  return *this;
}

Delete& Delete::returning(std::vector<Expr> columns) {
  edit<detail::DeleteNode>().add_returning(columns);
  return *this;
}

namespace {

const Column& column_of(const Table& table, const std::string& name) {
  const Column* column = table.column(name);
  if (!column) throw UsageError(fmt::format("table {} has no column {}", table.name, name));
  return *column;
}

// The VALUES list: the dialect's typing row, if it has one, then the rows of placeholders.
void values_rows(std::string& out, const Table& table, const std::string& target,
                 std::span<const std::string> columns, int rows, const Dialect& dialect) {
  std::vector<std::string> quoted;
  quoted.reserve(columns.size());
  for (const auto& c : columns) quoted.push_back(dialect.quote(column_of(table, c).name));
  std::string typing = dialect.values_typing_row(target, quoted);
  if (!typing.empty()) out += typing + ", ";
  int number = 0;
  for (int r = 0; r < rows; ++r) {
    out += r == 0 ? "(" : ", (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out += ", ";
      out += dialect.placeholder(++number);
    }
    out += ")";
  }
}

}  // namespace

std::string update_from_values_sql(const Table& table, std::span<const std::string> set,
                                   std::span<const std::string> match, int rows,
                                   const Dialect& dialect) {
  if (!dialect.update_from_values()) {
    throw UsageError(fmt::format("{} has no UPDATE ... FROM (VALUES ...) for table {}",
                                 dialect.title(), table.name));
  }
  if (set.empty() || match.empty() || rows < 1) {
    throw UsageError(
        fmt::format("a multi-row UPDATE of table {} needs columns to set, columns "
                    "to match and at least one row",
                    table.name));
  }
  // The VALUES table's name, other than the table's so that its columns stay apart.
  const std::string alias = table.name == "v" ? "v_" : "v";
  const std::string target = dialect.quote(table.name);
  std::vector<std::string> all(set.begin(), set.end());
  all.insert(all.end(), match.begin(), match.end());
  std::string out = "UPDATE " + target + " SET ";
  for (std::size_t i = 0; i < set.size(); ++i) {
    out += fmt::format("{}{} = {}.column{}", i > 0 ? ", " : "",
                       dialect.quote(column_of(table, set[i]).name), alias, i + 1);
  }
  out += " FROM (VALUES ";
  values_rows(out, table, target, all, rows, dialect);
  out += ") AS " + alias + " WHERE ";
  for (std::size_t j = 0; j < match.size(); ++j) {
    out += fmt::format("{}{}.{} = {}.column{}", j > 0 ? " AND " : "", target,
                       dialect.quote(column_of(table, match[j]).name), alias, set.size() + j + 1);
  }
  return out;
}

}  // namespace strata::sql
