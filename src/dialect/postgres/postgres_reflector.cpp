#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "../reflector.hpp"
#include "postgres_dialect.hpp"

namespace strata::detail {
namespace {

constexpr const char* kTables =
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = coalesce($1, current_schema()) AND c.relkind IN ('r', 'p') "
    "AND NOT c.relispartition AND ($2::text IS NULL OR c.relname = $2) ORDER BY c.relname";
// quote_ident keeps the name whole; a NULL schema (no schema of the search_path exists) finds
// nothing.
constexpr const char* kRelation =
    "SELECT to_regclass(quote_ident(coalesce($1, current_schema())) || '.' || quote_ident($2)) "
    "IS NOT NULL";
constexpr const char* kViews =
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = coalesce($1, current_schema()) AND c.relkind IN ('v', 'm') "
    "ORDER BY c.relname";
constexpr const char* kColumns =
    "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '', a.attgenerated "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "WHERE n.nspname = coalesce($1, current_schema()) AND c.relkind IN ('r', 'p') "
    "AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped "
    "AND ($2::text IS NULL OR c.relname = $2) ORDER BY c.relname, a.attnum";
// Column lists come back as JSON-free text arrays of names, in key order.
constexpr const char* kConstraints =
    "SELECT c.relname, con.conname, con.contype, "
    "ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i) "
    "      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i), "
    "fc.relname, "
    "ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i) "
    "      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i), "
    "con.confdeltype, con.confupdtype, pg_get_expr(con.conbin, con.conrelid) "
    "FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class fc ON fc.oid = con.confrelid "
    "WHERE n.nspname = coalesce($1, current_schema()) AND con.contype IN ('p', 'u', 'f', 'c') "
    "AND con.conparentid = 0 AND NOT c.relispartition "
    "AND ($2::text IS NULL OR c.relname = $2) ORDER BY c.relname, con.conname";
// Indexes that back a primary key, unique or exclusion constraint of their own table are
// reported with the constraint, not here. An expression's key reads as its text.
constexpr const char* kIndexes =
    "SELECT c.relname, i.relname, x.indisunique, "
    "ARRAY(SELECT coalesce(a.attname, pg_get_indexdef(x.indexrelid, o::int, true)) "
    "      FROM unnest(x.indkey) WITH ORDINALITY k(n, o) "
    "      LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n "
    "      WHERE o <= x.indnkeyatts ORDER BY o), "
    "pg_get_expr(x.indpred, x.indrelid) "
    "FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = coalesce($1, current_schema()) AND NOT c.relispartition "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid "
    "AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')) "
    "AND ($2::text IS NULL OR c.relname = $2) ORDER BY c.relname, i.relname";

// PostgreSQL's text form of a name[]: {a,"b c","d\"e"}.
std::vector<std::string> parse_array(std::string_view text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  text = text.substr(1, text.size() - 2);
  std::string item;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\' && i + 1 < text.size()) {
      item += text[++i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(std::move(item));
      item.clear();
    } else {
      item += c;
    }
    any = true;
  }
  if (any) out.push_back(std::move(item));
  return out;
}

std::vector<int> type_args(std::string_view text) {
  std::vector<int> out;
  auto open = text.find('(');
  if (open == std::string_view::npos) return out;
  for (std::size_t i = open + 1; i < text.size();) {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
    if (ec != std::errc{}) break;
    out.push_back(v);
    i = static_cast<std::size_t>(end - text.data()) + 1;
  }
  return out;
}

Type normalize_type(std::string_view formatted) {
  static const std::map<std::string_view, TypeKind> kinds = {
      {"boolean", TypeKind::boolean},
      {"smallint", TypeKind::smallinteger},
      {"integer", TypeKind::integer},
      {"bigint", TypeKind::biginteger},
      {"real", TypeKind::float32},
      {"double precision", TypeKind::float64},
      {"text", TypeKind::text},
      {"date", TypeKind::date},
      {"time without time zone", TypeKind::time},
      {"timestamp without time zone", TypeKind::datetime},
      {"timestamp with time zone", TypeKind::datetime_tz},
      {"bytea", TypeKind::binary},
      {"jsonb", TypeKind::json},
      {"json", TypeKind::json},
      {"uuid", TypeKind::uuid}};
  if (auto it = kinds.find(formatted); it != kinds.end()) return Type(it->second);
  auto args = type_args(formatted);
  if (formatted.starts_with("character varying")) return Type::string(args.empty() ? 0 : args[0]);
  if (formatted == "numeric") return Type::numeric(0, 0);
  if (formatted.starts_with("numeric(") && !args.empty()) {
    return Type::numeric(args[0], args.size() > 1 ? args[1] : 0);
  }
  return Type::other(std::string(formatted));
}

FkAction action(std::string_view code) {
  switch (code.empty() ? 'a' : code[0]) {
    case 'c':
      return FkAction::cascade;
    case 'n':
      return FkAction::set_null;
    case 'd':
      return FkAction::set_default;
    case 'r':
      return FkAction::restrict;
    default:
      return FkAction::no_action;
  }
}

// Serial columns read as autoincrementing keys without a default, like identity columns.
bool is_sequence_default(const std::optional<std::string>& d) {
  return d && d->starts_with("nextval(");
}

std::string strip_outer_parens(std::string text) {
  while (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    int depth = 0;
    bool wraps = true;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
      if (text[i] == '(') ++depth;
      if (text[i] == ')' && --depth == 0) wraps = false;
    }
    if (!wraps) break;
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

class PostgresReflector final : public Reflector {
 public:
  // An empty schema means the connection's current schema, where unqualified DDL goes.
  explicit PostgresReflector(std::string schema) {
    if (!schema.empty()) schema_ = std::move(schema);
  }

  std::vector<std::string> table_names(Connection& conn) override {
    return names(query(conn, kTables, schema_, std::optional<std::string>()));
  }
  bool has_table(Connection& conn, const std::string& name) override {
    return !query(conn, kTables, schema_, name).empty();
  }
  bool has_relation(Connection& conn, const std::string& name) override {
    return query(conn, kRelation, schema_, name).scalar<bool>();
  }
  std::vector<std::string> view_names(Connection& conn) override {
    return names(query(conn, kViews, schema_));
  }

  std::vector<Table> tables(Connection& conn, const std::optional<std::string>& only) override {
    std::vector<Table> tables;
    for (const auto& name : names(query(conn, kTables, schema_, only)))
      tables.emplace_back().name = name;
    read_columns(conn, only, tables);
    read_constraints(conn, only, tables);
    read_indexes(conn, only, tables);
    return tables;
  }

 private:
  static std::vector<std::string> names(Result result) {
    std::vector<std::string> out;
    for (const auto& row : result) out.push_back(row.get<std::string>(0));
    return out;
  }

  void read_columns(Connection& conn, const std::optional<std::string>& only,
                    std::vector<Table>& tables) {
    for (const auto& row : query(conn, kColumns, schema_, only)) {
      Table* t = find_table(tables, row.get<std::string_view>(0));
      if (!t) continue;
      Column c(row.get<std::string>(1), normalize_type(row.get<std::string_view>(2)));
      c.nullable = !row.get<bool>(3);
      auto d = row.get<std::optional<std::string>>(4);
      c.autoincrement = row.get<bool>(5) || is_sequence_default(d);
      // A generated column's expression is kept where a default is: 's' STORED, 'v' VIRTUAL
      // (PostgreSQL 18).
      if (auto kind = row.get<std::string>(6); !kind.empty()) {
        c.generated = Generated{d.value_or(""), kind == "s"};
      } else if (d && !c.autoincrement) {
        c.server_default = parse_default(*d, c.type);
      }
      t->columns.push_back(std::move(c));
    }
  }

  void read_constraints(Connection& conn, const std::optional<std::string>& only,
                        std::vector<Table>& tables) {
    for (const auto& row : query(conn, kConstraints, schema_, only)) {
      Table* t = find_table(tables, row.get<std::string_view>(0));
      if (!t) continue;
      std::string name = row.get<std::string>(1);
      auto columns = parse_array(row.get<std::string_view>(3));
      switch (row.get<std::string_view>(2)[0]) {
        case 'p':
          t->add_primary_key(std::move(columns), std::move(name));
          break;
        case 'u':
          t->add_unique(std::move(columns), std::move(name));
          break;
        case 'c':
          t->add_check(strip_outer_parens(row.get<std::string>(8)), std::move(name));
          break;
        case 'f':
          t->add_foreign_key({std::move(name), std::move(columns), row.get<std::string>(4),
                              parse_array(row.get<std::string_view>(5)),
                              action(row.get<std::string_view>(6)),
                              action(row.get<std::string_view>(7))});
          break;
      }
    }
  }

  void read_indexes(Connection& conn, const std::optional<std::string>& only,
                    std::vector<Table>& tables) {
    for (const auto& row : query(conn, kIndexes, schema_, only)) {
      Table* t = find_table(tables, row.get<std::string_view>(0));
      if (!t) continue;
      auto where = row.get<std::optional<std::string>>(4);
      t->add_index(parse_array(row.get<std::string_view>(3)), row.get<bool>(2),
                   where ? strip_outer_parens(*where) : "", row.get<std::string>(1));
    }
  }

  std::optional<std::string> schema_;
};

}  // namespace

std::unique_ptr<Reflector> PostgresDialect::reflector(std::string schema) const {
  return std::make_unique<PostgresReflector>(std::move(schema));
}

}  // namespace strata::detail
