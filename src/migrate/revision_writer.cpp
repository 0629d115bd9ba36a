#include "strata/migrate/revision_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "../core/duration.hpp"
#include "../core/overloaded.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate {
namespace {

using strata::detail::format_duration;
using strata::detail::Overloaded;

bool special_word(std::string_view text) {
  static const char* kWords[] = {"true", "false", "yes",  "no", "on", "off",
                                 "y",    "n",     "null", "~",  "now"};
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return lower == w; });
}

// A scalar as YAML: plain where a plain scalar reads back as the same text (names, types),
// else double-quoted with JSON's escapes, which YAML shares.
std::string scalar(std::string_view text) {
  bool plain = !text.empty() && !special_word(text) &&
               (std::isalpha(static_cast<unsigned char>(text[0])) || text[0] == '_');
  for (char c : text) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                      c == '(' || c == ')');
  }
  return plain ? std::string(text) : nlohmann::json(std::string(text)).dump();
}

// A revision id: plain when it is letters and digits (hex ids are), which the parser reads
// as text even when it looks like a number.
std::string revision_id(std::string_view id) {
  bool plain = !id.empty() && !special_word(id) && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  return plain ? std::string(id) : nlohmann::json(std::string(id)).dump();
}

std::vector<std::string> revision_ids(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const auto& id : ids) out.push_back(revision_id(id));
  return out;
}

std::string json_quoted(std::string_view text) {
  return nlohmann::json(std::string(text)).dump();
}

std::string list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(scalar(i));
  return fmt::format("[{}]", fmt::join(out, ", "));
}

// A flow map, {k: v, ...}; keys are plain words.
using Fields = std::vector<std::pair<std::string_view, std::string>>;
std::string flow(const Fields& fields) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : fields) parts.push_back(fmt::format("{}: {}", k, v));
  return fmt::format("{{{}}}", fmt::join(parts, ", "));
}

std::string number(double d) {
  std::string text = fmt::format("{}", d);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";  // stays a double
  return text;
}

// A value as the parser's literal_of reads it back: numbers and booleans plain, text quoted.
std::string literal(const Value& v) {
  switch (v.kind()) {
    case ValueKind::null:
      return "null";
    case ValueKind::integer:
      return std::to_string(v.as_int());
    case ValueKind::real:
      return number(v.as_double());
    case ValueKind::boolean:
      return v.as_bool() ? "true" : "false";
    case ValueKind::text:
      return json_quoted(v.as_text());
    default:
      return json_quoted(v.to_string());
  }
}

std::string server_default(const std::optional<ServerDefault>& d, std::string_view where) {
  if (!d) return "null";
  switch (d->kind) {
    case ServerDefault::Kind::now:
      return "now";
    case ServerDefault::Kind::expression:
      return flow({{"sql", json_quoted(d->expression)}});
    case ServerDefault::Kind::literal:
      break;
  }
  if (d->literal.is_null()) {
    throw MigrationError(
        fmt::format("{}: a NULL server default cannot be written; drop the default", where));
  }
  return literal(d->literal);
}

std::string type(const Type& t, std::string_view where) {
  if (t.kind() == TypeKind::other) {
    throw MigrationError(
        fmt::format("{}: type '{}' is not one of strata's types and cannot be written to "
                    "a revision file; write this change by hand with execute",
                    where, t.database_name()));
  }
  return scalar(t.to_string());
}

// What a column of create_table carries besides its own fields.
struct ColumnShorthands {
  bool primary_key = false;
  bool unique = false;
  bool index = false;
  std::string foreign_key;  // the flow map, or empty
};

std::string column(const Column& c, std::string_view table, const ColumnShorthands& s = {}) {
  std::string where = fmt::format("column {}.{}", table, c.name);
  Fields f{{"name", scalar(c.name)}, {"type", type(c.type, where)}};
  if (s.primary_key) f.emplace_back("primary_key", "true");
  if (!c.nullable && !s.primary_key) f.emplace_back("nullable", "false");
  // A lone integer key autoincrements unless told otherwise (see Table's constructor).
  bool implied = s.primary_key && c.type.is_integer();
  if (c.autoincrement != implied)
    f.emplace_back("autoincrement", c.autoincrement ? "true" : "false");
  if (s.unique) f.emplace_back("unique", "true");
  if (s.index) f.emplace_back("index", "true");
  if (c.server_default) f.emplace_back("server_default", server_default(c.server_default, where));
  if (c.generated_by_expression()) {
    f.emplace_back("generated", flow({{"sql", json_quoted(c.generated->expression)},
                                      {"stored", c.generated->stored ? "true" : "false"}}));
  }
  if (!s.foreign_key.empty()) f.emplace_back("foreign_key", s.foreign_key);
  return flow(f);
}

std::string references(const std::string& table, const std::vector<std::string>& columns) {
  if (columns.size() == 1 && table.find('.') == std::string::npos && scalar(table) == table &&
      scalar(columns[0]) == columns[0]) {
    return table + "." + columns[0];
  }
  return flow({{"table", scalar(table)}, {"columns", list(columns)}});
}

Fields index_fields(const Index& i) {
  Fields f{{"name", scalar(i.name)}, {"columns", list(i.columns)}};
  if (i.unique) f.emplace_back("unique", "true");
  if (!i.where.empty()) f.emplace_back("where", json_quoted(i.where));
  return f;
}

std::string action(FkAction a) {
  std::string text(to_sql(a));
  for (char& c : text) {
    c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

// references, on_delete, on_update: a column's foreign_key shorthand.
Fields reference_fields(const ForeignKey& fk) {
  Fields f{{"references", references(fk.referred_table, fk.referred_columns)}};
  if (fk.on_delete != FkAction::no_action) f.emplace_back("on_delete", action(fk.on_delete));
  if (fk.on_update != FkAction::no_action) f.emplace_back("on_update", action(fk.on_update));
  return f;
}

Fields foreign_key_fields(const ForeignKey& fk) {
  Fields f{{"name", scalar(fk.name)}, {"columns", list(fk.columns)}};
  for (auto& field : reference_fields(fk)) f.push_back(std::move(field));
  return f;
}

Fields unique_fields(const UniqueConstraint& u) {
  return {{"name", scalar(u.name)}, {"columns", list(u.columns)}};
}

Fields primary_key_fields(const PrimaryKey& pk) {
  return {{"name", scalar(pk.name)}, {"columns", list(pk.columns)}};
}

// A check's name as the parser reads it back: `final: true` where the convention's ck template
// would change it (a name the database gave: `total_not_negative`, not ck_orders_...).
Fields check_fields(const std::string& table, const CheckConstraint& c,
                    const NamingConvention& convention) {
  Table shape;
  shape.name = table;
  shape.check_constraints.push_back(c);
  convention.apply(shape);
  Fields f{{"name", scalar(c.name)}, {"condition", json_quoted(c.condition)}};
  if (shape.check_constraints.front().name != c.name) f.emplace_back("final", "true");
  return f;
}

// Appends "key:" and one line per item under it, at `indent`.
void block_list(std::string& out, std::string_view indent, std::string_view key,
                const std::vector<std::string>& items) {
  if (items.empty()) return;
  out += fmt::format("{}{}:\n", indent, key);
  for (const auto& item : items) out += fmt::format("{}  - {}\n", indent, item);
}

// The name the convention gives `item` in table `t`.
template <class T>
std::string conventional_name(const Table& t, T item, std::vector<T> Table::*list,
                              const NamingConvention& convention) {
  Table shape;
  shape.name = t.name;
  item.name.clear();
  (shape.*list).push_back(std::move(item));
  convention.apply(shape);
  return (shape.*list).front().name;
}

// How many leading items of a list the column shorthands can carry: one column each, plain
// (`plain`), named by the convention, in column order. The parser adds shorthands in column
// order before the table-level lists, so the table reads back in the same order.
template <class T, class Plain>
std::size_t shorthand_count(const Table& t, std::vector<T> Table::*list,
                            const NamingConvention& convention, Plain&& plain) {
  std::size_t n = 0;
  auto last = t.columns.begin();
  for (const T& item : t.*list) {
    if (item.columns.size() != 1 || !plain(item) ||
        item.name != conventional_name(t, item, list, convention)) {
      break;
    }
    auto at = std::find_if(last, t.columns.end(),
                           [&](const Column& c) { return c.name == item.columns[0]; });
    if (at == t.columns.end()) break;
    last = at + 1;
    ++n;
  }
  return n;
}

// Whether the convention gives the primary key of `t` the name it has: a key named otherwise
// is written as {name, columns}.
bool conventional_key(const Table& t, const NamingConvention& convention) {
  Table shape;
  shape.name = t.name;
  shape.primary_key = PrimaryKey{"", t.primary_key->columns};
  convention.apply(shape);
  return shape.primary_key->name == t.primary_key->name;
}

struct TableShorthands {
  std::map<std::string, ColumnShorthands> columns;
  std::size_t uniques = 0;
  std::size_t indexes = 0;
  std::size_t foreign_keys = 0;
};

TableShorthands shorthands(const Table& t, const NamingConvention& convention) {
  auto any = [](const auto&) { return true; };
  TableShorthands s;
  s.uniques = shorthand_count(t, &Table::unique_constraints, convention, any);
  s.indexes = shorthand_count(t, &Table::indexes, convention,
                              [](const Index& i) { return !i.unique && i.where.empty(); });
  s.foreign_keys = shorthand_count(t, &Table::foreign_keys, convention, any);
  for (std::size_t i = 0; i < s.uniques; ++i) {
    s.columns[t.unique_constraints[i].columns[0]].unique = true;
  }
  for (std::size_t i = 0; i < s.indexes; ++i) s.columns[t.indexes[i].columns[0]].index = true;
  for (std::size_t i = 0; i < s.foreign_keys; ++i) {
    const ForeignKey& fk = t.foreign_keys[i];
    s.columns[fk.columns[0]].foreign_key = flow(reference_fields(fk));
  }
  if (t.primary_key && t.primary_key->columns.size() == 1 && conventional_key(t, convention)) {
    s.columns[t.primary_key->columns[0]].primary_key = true;
  }
  return s;
}

template <class T, class Write>
std::vector<std::string> lines(const std::vector<T>& items, std::size_t skip, Write&& write) {
  std::vector<std::string> out;
  for (std::size_t i = skip; i < items.size(); ++i) out.push_back(flow(write(items[i])));
  return out;
}

std::string create_table(const Table& t, const NamingConvention& convention) {
  TableShorthands s = shorthands(t, convention);
  std::vector<std::string> columns;
  for (const auto& c : t.columns) columns.push_back(column(c, t.name, s.columns[c.name]));
  std::string out = fmt::format("  - create_table:\n      name: {}\n", scalar(t.name));
  block_list(out, "      ", "columns", columns);
  if (t.primary_key && !conventional_key(t, convention)) {
    out += fmt::format("      primary_key: {}\n", flow(primary_key_fields(*t.primary_key)));
  } else if (t.primary_key && t.primary_key->columns.size() > 1) {
    out += fmt::format("      primary_key: {}\n", list(t.primary_key->columns));
  }
  block_list(out, "      ", "indexes", lines(t.indexes, s.indexes, index_fields));
  block_list(out, "      ", "unique_constraints",
             lines(t.unique_constraints, s.uniques, unique_fields));
  block_list(out, "      ", "foreign_keys",
             lines(t.foreign_keys, s.foreign_keys, foreign_key_fields));
  block_list(out, "      ", "check_constraints",
             lines(t.check_constraints, 0,
                   [&](const CheckConstraint& c) { return check_fields(t.name, c, convention); }));
  return out;
}

Fields alter_column(const AlterColumn& o) {
  std::string where = fmt::format("column {}.{}", o.table, o.name);
  Fields f{{"table", scalar(o.table)}, {"name", scalar(o.name)}};
  if (o.type) f.emplace_back("type", type(*o.type, where));
  if (o.nullable) f.emplace_back("nullable", *o.nullable ? "true" : "false");
  if (o.server_default) f.emplace_back("server_default", server_default(*o.server_default, where));
  if (o.new_name) f.emplace_back("new_name", scalar(*o.new_name));
  return f;
}

std::string execute(const Execute& o) {
  std::string out = fmt::format("  - execute:\n      sql: {}\n", json_quoted(o.sql));
  for (const auto& [dialect, text] : o.per_dialect) {
    out += fmt::format("      {}: {}\n", dialect, json_quoted(text));
  }
  return out;
}

std::string bulk_insert(const BulkInsert& o) {
  std::vector<std::string> rows;
  for (const auto& row : o.rows) {
    std::vector<std::string> cells;
    for (const auto& [name, value] : row) cells.push_back(scalar(name) + ": " + literal(value));
    rows.push_back(fmt::format("{{{}}}", fmt::join(cells, ", ")));
  }
  std::string out = fmt::format("  - bulk_insert:\n      table: {}\n", scalar(o.table));
  if (rows.empty()) return out + "      rows: []\n";
  block_list(out, "      ", "rows", rows);
  return out;
}

std::string constraint_type(ConstraintType type) {
  switch (type) {
    case ConstraintType::unique:
      return "unique";
    case ConstraintType::foreign_key:
      return "foreign_key";
    case ConstraintType::check:
      return "check";
    case ConstraintType::primary_key:
      break;
  }
  return "primary_key";
}

Fields with_table(Fields f, const std::string& table) {
  f.insert(f.begin() + 1, {"table", scalar(table)});
  return f;
}

Fields not_valid(Fields f, bool is) {
  if (is) f.emplace_back("not_valid", "true");
  return f;
}

// The keys of an operation written on one line; empty for those written as blocks.
Fields one_line_fields(const Operation& op, const NamingConvention& convention) {
  return std::visit(
      Overloaded{
          [](const DropTable& o) -> Fields {
            return {{"name", scalar(o.name)}};
          },
          [](const RenameTable& o) -> Fields {
            return {{"name", scalar(o.name)}, {"new_name", scalar(o.new_name)}};
          },
          [](const DropColumn& o) -> Fields {
            return {{"table", scalar(o.table)}, {"name", scalar(o.name)}};
          },
          [](const AlterColumn& o) { return alter_column(o); },
          [](const CreateIndex& o) {
            Fields f = with_table(index_fields(o.index), o.table);
            if (o.concurrently) f.emplace_back("concurrently", "true");
            return f;
          },
          [](const DropIndex& o) -> Fields {
            return {{"name", scalar(o.name)}, {"table", scalar(o.table)}};
          },
          [](const CreateUniqueConstraint& o) {
            return with_table(unique_fields(o.constraint), o.table);
          },
          [](const CreateForeignKey& o) {
            return not_valid(with_table(foreign_key_fields(o.constraint), o.table), o.not_valid);
          },
          [&](const CreateCheckConstraint& o) {
            return not_valid(with_table(check_fields(o.table, o.constraint, convention), o.table),
                             o.not_valid);
          },
          [](const CreatePrimaryKey& o) {
            return with_table(primary_key_fields(o.constraint), o.table);
          },
          [](const DropConstraint& o) -> Fields {
            return {{"name", scalar(o.name)},
                    {"table", scalar(o.table)},
                    {"type", constraint_type(o.type)}};
          },
          [](const ValidateConstraint& o) -> Fields {
            return {{"name", scalar(o.name)}, {"table", scalar(o.table)}};
          },
          [](const auto&) { return Fields{}; },
      },
      op);
}

// An operation written as a block of lines, or empty for those written on one line.
std::string block(const Operation& op, const NamingConvention& convention) {
  if (const auto* o = std::get_if<CreateTable>(&op)) return create_table(o->table, convention);
  if (const auto* o = std::get_if<AddColumn>(&op)) {
    return fmt::format("  - add_column:\n      table: {}\n      column: {}\n", scalar(o->table),
                       column(o->column, o->table));
  }
  if (const auto* o = std::get_if<Execute>(&op)) return execute(*o);
  if (const auto* o = std::get_if<BulkInsert>(&op)) return bulk_insert(*o);
  return "";
}

std::string operation(const Operation& op, const NamingConvention& convention) {
  const Dialects& only = dialects_of(op);
  if (std::string text = block(op, convention); !text.empty()) {
    return only.empty() ? text : text + fmt::format("      dialects: {}\n", list(only));
  }
  Fields fields = one_line_fields(op, convention);
  if (!only.empty()) fields.emplace_back("dialects", list(only));
  return fmt::format("  - {}: {}\n", operation_name(op), flow(fields));
}

void comment_lines(std::string& out, const std::vector<std::string>& lines,
                   std::string_view indent) {
  for (const auto& line : lines) out += fmt::format("{}# {}\n", indent, line);
}

void operations(std::string& out, std::string_view key, const std::vector<Operation>& ops,
                const std::map<std::size_t, std::vector<std::string>>& comments,
                const NamingConvention& convention) {
  if (ops.empty()) {
    out += fmt::format("{}: []\n", key);
    return;
  }
  out += fmt::format("{}:\n", key);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (auto it = comments.find(i); it != comments.end()) comment_lines(out, it->second, "  ");
    out += operation(ops[i], convention);
  }
}

std::string down_revision(const std::vector<std::string>& down) {
  if (down.empty()) return "null";
  if (down.size() == 1) return revision_id(down[0]);
  return fmt::format("[{}]", fmt::join(revision_ids(down), ", "));
}

}  // namespace

std::string write_revision(const Revision& r, const RevisionComments& comments,
                           const NamingConvention& convention) {
  std::string out;
  comment_lines(out, comments.header, "");
  out += fmt::format("revision: {}\n", revision_id(r.id));
  out += fmt::format("down_revision: {}\n", down_revision(r.down_revisions));
  out += fmt::format("branch_labels: {}\n", list(r.branch_labels));
  out += fmt::format("depends_on: [{}]\n", fmt::join(revision_ids(r.depends_on), ", "));
  out += fmt::format("message: {}\n", json_quoted(r.message));
  if (!r.created.empty()) out += fmt::format("created: {}\n", r.created);
  out += fmt::format("transactional: {}\n", r.transactional ? "true" : "false");
  if (r.lock_timeout) out += fmt::format("lock_timeout: {}\n", format_duration(*r.lock_timeout));
  if (r.statement_timeout) {
    out += fmt::format("statement_timeout: {}\n", format_duration(*r.statement_timeout));
  }
  operations(out, "upgrade", r.upgrade, comments.upgrade, convention);
  if (r.has_downgrade) operations(out, "downgrade", r.downgrade, comments.downgrade, convention);
  return out;
}

}  // namespace strata::migrate
