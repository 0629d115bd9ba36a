#include "operation_parser.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <stdexcept>

#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "yaml_scalars.hpp"

namespace strata::migrate::detail {

const std::vector<MapSpec>& nested_specs() {
  static const std::vector<MapSpec> specs = {
      {"column",
       {"name", "type", "nullable", "primary_key", "autoincrement", "unique", "index",
        "server_default", "generated", "foreign_key"}},
      {"foreign_key", {"references", "on_delete", "on_update"}},
      {"references", {"table", "columns"}},
      {"server_default", {"sql"}},
      {"generated", {"sql", "stored"}},
      {"primary key", {"name", "columns"}},
      {"index", {"name", "columns", "unique", "where"}},
      {"unique constraint", {"name", "columns"}},
      {"foreign key", {"name", "columns", "references", "on_delete", "on_update"}},
      {"check constraint", {"name", "condition", "final"}},
  };
  return specs;
}

namespace {

// A reader for a map inside an operation, accepting the keys nested_specs() gives it.
MapReader nested(const yaml::Node& node, const Source& source, std::string_view what) {
  const auto& specs = nested_specs();
  auto spec =
      std::find_if(specs.begin(), specs.end(), [&](const MapSpec& s) { return s.name == what; });
  if (spec == specs.end()) throw std::logic_error(fmt::format("no keys for '{}'", what));
  return MapReader(node, source, what, spec->keys);
}

Type type_of(const MapReader& m, std::string_view key) {
  try {
    return Type::parse(m.string(key));
  } catch (const MigrationError&) {
    throw;
  } catch (const Error& e) {
    m.fail(m.required(key), e.what());
  }
}

FkAction action_of(const MapReader& m, std::string_view key) {
  auto text = m.optional_string(key);
  if (!text) return FkAction::no_action;
  try {
    return parse_fk_action(*text);
  } catch (const Error& e) {
    m.fail(m.required(key), e.what());
  }
}

// A map key as text, as yaml-cpp's as<std::string>() read it (a null key is "null").
std::string key_name(const yaml::Node& key, const Source& source, std::string_view where) {
  auto text = yaml::key_text(key);
  if (!text) source.fail(key, fmt::format("a key in {} must be a name", where));
  return std::string(*text);
}

// A plain (unquoted) YAML number or boolean is that literal; null is NULL; any other scalar
// is text.
Value literal_of(const yaml::Node& node, const Source& source) {
  if (node.is_null()) return Value();
  if (!node.is_scalar()) source.fail(node, "expected a single value");
  const std::string& text = node.scalar;
  if (node.quoted) return Value(text);
  std::int64_t i = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      ec == std::errc{} && end == text.data() + text.size()) {
    return Value(i);
  }
  double d = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      ec == std::errc{} && end == text.data() + text.size()) {
    return Value(d);
  }
  if (auto b = yaml::boolean_of(text)) return Value(*b);
  return Value(text);
}

// A literal, a plain `now`, or {sql: EXPR}.
std::optional<ServerDefault> server_default_of(const yaml::Node& node, const Source& source) {
  if (node.is_null()) return std::nullopt;
  if (node.is_map()) {
    MapReader m = nested(node, source, "server_default");
    return ServerDefault::sql(m.string("sql"));
  }
  if (node.is_scalar() && !node.quoted && node.scalar == "now") return ServerDefault::now();
  return ServerDefault::value(literal_of(node, source));
}

// `users.id`, or {table: users, columns: [a, b]}.
std::pair<std::string, std::vector<std::string>> reference_of(const yaml::Node& node,
                                                              const Source& source) {
  if (node.is_map()) {
    MapReader m = nested(node, source, "references");
    return {m.string("table"), m.strings("columns")};
  }
  std::string text = node.is_scalar() ? node.scalar : "";
  auto dot = text.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) {
    source.fail(node, fmt::format("references '{}' must be table.column or {{table: T, columns: "
                                  "[...]}}",
                                  text));
  }
  return {text.substr(0, dot), {text.substr(dot + 1)}};
}

Column column_of(const yaml::Node& node, const Source& source) {
  MapReader m = nested(node, source, "column");
  Column c(m.string("name"), type_of(m, "type"));
  if (m.boolean("primary_key", false)) c.primary_key();
  if (m.has("autoincrement")) c.auto_increment(m.boolean("autoincrement", false));
  c.nullable = m.boolean("nullable", c.nullable);
  if (m.boolean("unique", false)) c.unique();
  if (m.boolean("index", false)) c.index();
  if (m.has("server_default"))
    c.server_default = server_default_of(m.required("server_default"), source);
  if (m.has("generated")) {
    MapReader g = nested(m.required("generated"), source, "generated");
    c.generated_as(g.string("sql"), g.boolean("stored", true));
    if (c.generated->expression.empty()) g.fail(g.required("sql"), "generated sql is empty");
    if (c.server_default || c.autoincrement) {
      m.fail(m.required("generated"),
             "a generated column takes no server_default or autoincrement: remove them");
    }
  }
  if (m.has("foreign_key")) {
    MapReader fk = nested(m.required("foreign_key"), source, "foreign_key");
    auto [table, columns] = reference_of(fk.required("references"), source);
    if (columns.size() != 1) fk.fail(fk.node(), "a column's foreign_key references one column");
    c.references(table + "." + columns[0], action_of(fk, "on_delete"), action_of(fk, "on_update"));
  }
  return c;
}

Index index_of(const MapReader& m) {
  return Index{m.optional_string("name").value_or(""), m.strings("columns"),
               m.boolean("unique", false), m.optional_string("where").value_or("")};
}

ForeignKey foreign_key_of(const MapReader& m) {
  auto [table, referred] = reference_of(m.required("references"), m.source());
  auto columns = m.strings("columns");
  if (columns.size() != referred.size()) {
    m.fail(m.node(), fmt::format("foreign key has {} columns but references {}", columns.size(),
                                 referred.size()));
  }
  return ForeignKey{m.optional_string("name").value_or(""),
                    std::move(columns),
                    std::move(table),
                    std::move(referred),
                    action_of(m, "on_delete"),
                    action_of(m, "on_update")};
}

template <class F>
void each(const MapReader& m, std::string_view key, F&& f) {
  if (!m.has(key)) return;
  const yaml::Node& list = m.required(key);
  if (!list.is_sequence()) m.fail(list, fmt::format("'{}' must be a list", key));
  for (const yaml::Node* item : list.items()) f(*item);
}

// create_table's `primary_key`: a column list, or {name, columns} to name the key. Columns
// marked `primary_key: true` already made a key; a list that disagrees with them is refused
// rather than one of the two silently winning.
void primary_key_of(const MapReader& m, Table& t) {
  if (!m.has("primary_key")) return;
  const yaml::Node& node = m.required("primary_key");
  std::string name;
  std::vector<std::string> columns;
  if (node.is_map()) {
    MapReader pk = nested(node, m.source(), "primary key");
    name = pk.string("name");
    columns = pk.strings("columns");
  } else {
    columns = m.strings("primary_key");
  }
  std::vector<std::string> marked = t.primary_key ? t.primary_key->columns : columns;
  if (columns.empty()) columns = marked;
  if (columns.empty()) {
    m.fail(node, "primary_key names no columns: list them, or mark columns primary_key: true");
  }
  if (columns != marked) {
    m.fail(node, fmt::format("primary_key lists ({}) but the columns marked primary_key: true "
                             "are ({}); keep one of the two",
                             fmt::join(columns, ", "), fmt::join(marked, ", ")));
  }
  t.add_primary_key(std::move(columns), std::move(name));
}

// A check's `name` is the {name} of the convention's ck template, or with `final: true` the
// constraint's own name, which the convention leaves alone (Alembic's op.f()): a name the
// database gave, which the template would change.
std::optional<std::string> final_name(const MapReader& m) {
  if (!m.boolean("final", false)) return std::nullopt;
  return m.string("name");
}

std::vector<Operation> create_table(const MapReader& m, const NamingConvention& convention) {
  std::vector<Column> columns;
  each(m, "columns", [&](const yaml::Node& c) { columns.push_back(column_of(c, m.source())); });
  if (columns.empty()) m.fail(m.node(), "create_table needs at least one column");
  Table t(m.string("name"), std::move(columns));
  primary_key_of(m, t);
  const Source& s = m.source();
  each(m, "indexes",
       [&](const yaml::Node& n) { t.indexes.push_back(index_of(nested(n, s, "index"))); });
  each(m, "unique_constraints", [&](const yaml::Node& n) {
    MapReader u = nested(n, s, "unique constraint");
    t.add_unique(u.strings("columns"), u.optional_string("name").value_or(""));
  });
  each(m, "foreign_keys", [&](const yaml::Node& n) {
    t.add_foreign_key(foreign_key_of(nested(n, s, "foreign key")));
  });
  std::map<std::size_t, std::string> finals;  // by place among the checks
  each(m, "check_constraints", [&](const yaml::Node& n) {
    MapReader c = nested(n, s, "check constraint");
    if (auto name = final_name(c)) finals[t.check_constraints.size()] = *name;
    t.add_check(c.string("condition"), c.string("name"));
  });
  convention.apply(t);
  for (auto& [at, name] : finals) t.check_constraints[at].name = std::move(name);
  return {CreateTable{std::move(t)}};
}

// The column goes in plain; its shorthands become named constraint operations after it.
std::vector<Operation> add_column(const MapReader& m, const NamingConvention& convention) {
  std::string table = m.string("table");
  Table shape(table, {column_of(m.required("column"), m.source())});
  convention.apply(shape);
  std::vector<Operation> ops{AddColumn{table, shape.columns.front()}};
  if (shape.primary_key) m.fail(m.node(), "add_column cannot add a primary key column");
  for (auto& i : shape.indexes) ops.push_back(CreateIndex{table, std::move(i)});
  for (auto& u : shape.unique_constraints)
    ops.push_back(CreateUniqueConstraint{table, std::move(u)});
  for (auto& f : shape.foreign_keys) ops.push_back(CreateForeignKey{table, std::move(f)});
  for (auto& c : shape.check_constraints) ops.push_back(CreateCheckConstraint{table, std::move(c)});
  return ops;
}

std::vector<Operation> alter_column(const MapReader& m) {
  AlterColumn op{m.string("table"), m.string("name"), {}, {}, {}, m.optional_string("new_name")};
  if (m.has("type")) op.type = type_of(m, "type");
  if (m.has("nullable")) op.nullable = m.boolean("nullable", true);
  if (m.has("server_default"))
    op.server_default = server_default_of(m.required("server_default"), m.source());
  if (!op.type && !op.nullable && !op.server_default && !op.new_name) {
    m.fail(m.node(),
           "alter_column changes nothing: give type, nullable, server_default or new_name");
  }
  return {op};
}

// A lone constraint named like one declared in create_table.
template <class Add>
Table named(const std::string& table, const NamingConvention& convention, Add&& add) {
  Table shape;
  shape.name = table;
  add(shape);
  convention.apply(shape);
  return shape;
}

std::vector<Operation> create_index(const MapReader& m, const NamingConvention& convention) {
  std::string table = m.string("table");
  Table t = named(table, convention, [&](Table& s) { s.indexes.push_back(index_of(m)); });
  return {CreateIndex{table, t.indexes.front(), m.boolean("concurrently", false)}};
}

std::vector<Operation> create_unique(const MapReader& m, const NamingConvention& convention) {
  std::string table = m.string("table");
  Table t = named(table, convention, [&](Table& s) {
    s.add_unique(m.strings("columns"), m.optional_string("name").value_or(""));
  });
  return {CreateUniqueConstraint{table, t.unique_constraints.front()}};
}

std::vector<Operation> create_foreign_key(const MapReader& m, const NamingConvention& convention) {
  std::string table = m.string("table");
  Table t = named(table, convention, [&](Table& s) { s.add_foreign_key(foreign_key_of(m)); });
  return {CreateForeignKey{table, t.foreign_keys.front(), m.boolean("not_valid", false)}};
}

std::vector<Operation> create_check(const MapReader& m, const NamingConvention& convention) {
  std::string table = m.string("table");
  Table t = named(table, convention,
                  [&](Table& s) { s.add_check(m.string("condition"), m.string("name")); });
  CheckConstraint check = t.check_constraints.front();
  if (auto name = final_name(m)) check.name = std::move(*name);
  return {CreateCheckConstraint{table, std::move(check), m.boolean("not_valid", false)}};
}

std::vector<Operation> create_primary_key(const MapReader& m, const NamingConvention& convention) {
  std::string table = m.string("table");
  auto columns = m.strings("columns");
  if (columns.empty()) m.fail(m.required("columns"), "create_primary_key needs its columns");
  Table t = named(table, convention, [&](Table& s) {
    s.primary_key = PrimaryKey{m.optional_string("name").value_or(""), std::move(columns)};
  });
  return {CreatePrimaryKey{table, *t.primary_key}};
}

std::vector<Operation> drop_constraint(const MapReader& m) {
  static const std::map<std::string, ConstraintType, std::less<>> kTypes = {
      {"unique", ConstraintType::unique},
      {"foreign_key", ConstraintType::foreign_key},
      {"check", ConstraintType::check},
      {"primary_key", ConstraintType::primary_key}};
  auto type = kTypes.find(m.string("type"));
  if (type == kTypes.end()) {
    m.fail(m.required("type"), "type must be unique, foreign_key, check or primary_key");
  }
  return {DropConstraint{m.string("table"), m.string("name"), type->second}};
}

std::vector<Operation> execute(const MapReader& m) {
  Execute op{m.string("sql"), {}};
  for (const Dialect* dialect : Dialect::all()) {
    std::string name(dialect->name());
    if (auto text = m.optional_string(name)) op.per_dialect[name] = *text;
  }
  return {op};
}

// `sql`, and a text per dialect under the dialect's name.
std::vector<std::string_view> execute_keys() {
  std::vector<std::string_view> keys{"sql"};
  for (const Dialect* dialect : Dialect::all()) keys.push_back(dialect->name());
  return keys;
}

std::vector<Operation> bulk_insert(const MapReader& m) {
  BulkInsert op{m.string("table"), {}};
  each(m, "rows", [&](const yaml::Node& row) {
    if (!row.is_map()) m.fail(row, "each row of bulk_insert must map columns to values");
    auto& values = op.rows.emplace_back();
    for (std::size_t i = 0; i < row.size(); ++i) {
      values.emplace_back(key_name(row.key(i), m.source(), "a row of bulk_insert"),
                          literal_of(row.value(i), m.source()));
    }
  });
  return {op};
}

using Parser = std::function<std::vector<Operation>(const MapReader&, const NamingConvention&)>;

struct Kind {
  std::vector<std::string_view> keys;
  Parser parse;
};

const std::map<std::string, Kind, std::less<>>& kinds() {
  using M = const MapReader&;
  using N = const NamingConvention&;
  static const std::map<std::string, Kind, std::less<>> table = [] {
    std::map<std::string, Kind, std::less<>> all = {
        {"create_table",
         {{"name", "columns", "primary_key", "indexes", "unique_constraints", "foreign_keys",
           "check_constraints"},
          create_table}},
        {"drop_table",
         {{"name"},
          [](M m, N) -> std::vector<Operation> { return {DropTable{m.string("name")}}; }}},
        {"rename_table",
         {{"name", "new_name"},
          [](M m, N) -> std::vector<Operation> {
            return {RenameTable{m.string("name"), m.string("new_name")}};
          }}},
        {"add_column", {{"table", "column"}, add_column}},
        {"drop_column",
         {{"table", "name"},
          [](M m, N) -> std::vector<Operation> {
            return {DropColumn{m.string("table"), m.string("name")}};
          }}},
        {"alter_column",
         {{"table", "name", "type", "nullable", "server_default", "new_name"},
          [](M m, N) { return alter_column(m); }}},
        {"create_index",
         {{"name", "table", "columns", "unique", "where", "concurrently"}, create_index}},
        {"drop_index",
         {{"name", "table"},
          [](M m, N) -> std::vector<Operation> {
            return {DropIndex{m.string("table"), m.string("name")}};
          }}},
        {"create_unique_constraint", {{"name", "table", "columns"}, create_unique}},
        {"create_foreign_key",
         {{"name", "table", "columns", "references", "on_delete", "on_update", "not_valid"},
          create_foreign_key}},
        {"create_check_constraint",
         {{"name", "table", "condition", "final", "not_valid"}, create_check}},
        {"create_primary_key", {{"name", "table", "columns"}, create_primary_key}},
        {"drop_constraint", {{"name", "table", "type"}, [](M m, N) { return drop_constraint(m); }}},
        {"validate_constraint",
         {{"name", "table"},
          [](M m, N) -> std::vector<Operation> {
            return {ValidateConstraint{m.string("table"), m.string("name")}};
          }}},
        {"execute", {execute_keys(), [](M m, N) { return execute(m); }}},
        {"bulk_insert", {{"table", "rows"}, [](M m, N) { return bulk_insert(m); }}},
    };
    for (auto& [name, kind] : all) kind.keys.push_back("dialects");  // any operation takes it
    return all;
  }();
  return table;
}

// "sqlite or postgresql", "[sqlite] or [postgresql]"
std::string known_dialects(std::string_view separator) {
  std::string out;
  for (const Dialect* dialect : Dialect::all()) {
    out += fmt::format("{}[{}]", out.empty() ? "" : separator, dialect->name());
  }
  return out;
}

// `dialects: [sqlite]`: each name one Dialect::named knows, written as the dialect names itself.
Dialects dialects_key(const MapReader& m) {
  const yaml::Node& list = m.required("dialects");
  std::vector<const yaml::Node*> items;
  if (list.is_sequence()) {
    items.assign(list.items().begin(), list.items().end());
  } else if (list.is_scalar()) {
    items.push_back(&list);
  }
  if (items.empty()) {
    m.fail(list, fmt::format("dialects must list one or more of {}; leave it out to run everywhere",
                             known_dialects(", ")));
  }
  Dialects out;
  for (const yaml::Node* item : items) {
    if (!item->is_scalar()) {
      m.fail(*item, fmt::format("dialects must list names: {}", known_dialects(" or ")));
    }
    try {
      out.emplace_back(Dialect::named(item->scalar).name());
    } catch (const ConfigError& e) {
      m.fail(*item, e.what());
    }
  }
  return out;
}

}  // namespace

const std::vector<MapSpec>& operation_specs() {
  static const std::vector<MapSpec> specs = [] {
    std::vector<MapSpec> out;
    for (const auto& [name, kind] : kinds()) out.push_back({name, kind.keys});
    return out;
  }();
  return specs;
}

std::vector<Operation> parse_operation(const yaml::Node& item, const Source& source,
                                       const NamingConvention& convention) {
  if (!item.is_map() || item.size() != 1) {
    source.fail(item, "each operation is a map with one key, its name: - create_table: {...}");
  }
  std::string name = key_name(item.key(0), source, "an operation");
  auto kind = kinds().find(name);
  if (kind == kinds().end()) {
    source.fail(item.key(0), fmt::format("unknown operation '{}'", name));
  }
  MapReader m(item.value(0), source, name, kind->second.keys);
  std::vector<Operation> ops = kind->second.parse(m, convention);
  if (m.has("dialects")) {
    Dialects only = dialects_key(m);
    for (auto& op : ops) restrict_to(op, only);
  }
  return ops;
}

}  // namespace strata::migrate::detail
