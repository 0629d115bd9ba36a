#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "../reflector.hpp"
#include "sqlite_ddl.hpp"
#include "sqlite_dialect.hpp"

namespace strata::detail {
namespace {

std::string upper_words(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::vector<int> type_args(std::string_view args) {
  std::vector<int> out;
  for (std::size_t start = 0; start <= args.size();) {
    auto comma = std::min(args.find(',', start), args.size());
    std::string_view part = args.substr(start, comma - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    int v = 0;
    std::from_chars(part.data(), part.data() + part.size(), v);
    out.push_back(v);
    start = comma + 1;
  }
  return out;
}

// The declared type read back; the names the SQLite dialect writes map to themselves.
Type normalize_type(std::string_view declared) {
  std::string text = upper_words(declared);
  auto open = text.find('(');
  std::string base = text.substr(0, open);
  while (!base.empty() && base.back() == ' ') base.pop_back();
  std::vector<int> args;
  if (open != std::string::npos && text.back() == ')') {
    args = type_args(std::string_view(text).substr(open + 1, text.size() - open - 2));
  }
  static const std::map<std::string, TypeKind> kinds = {
      {"BOOLEAN", TypeKind::boolean},
      {"BOOL", TypeKind::boolean},
      {"SMALLINT", TypeKind::smallinteger},
      {"INTEGER", TypeKind::integer},
      {"INT", TypeKind::integer},
      {"BIGINT", TypeKind::biginteger},
      {"FLOAT", TypeKind::float32},
      {"REAL", TypeKind::float64},
      {"DOUBLE", TypeKind::float64},
      {"DOUBLE PRECISION", TypeKind::float64},
      {"TEXT", TypeKind::text},
      {"CLOB", TypeKind::text},
      {"DATE", TypeKind::date},
      {"TIME", TypeKind::time},
      {"DATETIME", TypeKind::datetime},
      {"TIMESTAMP", TypeKind::datetime},
      {"TIMESTAMP WITH TIME ZONE", TypeKind::datetime_tz},
      {"BLOB", TypeKind::binary},
      {"JSON", TypeKind::json},
      {"UUID", TypeKind::uuid}};
  if (base == "VARCHAR" || base == "CHARACTER VARYING" || base == "NVARCHAR") {
    return Type::string(args.empty() ? 0 : args[0]);
  }
  if (base == "NUMERIC" || base == "DECIMAL") {
    return Type::numeric(args.empty() ? 0 : args[0], args.size() > 1 ? args[1] : 0);
  }
  auto it = kinds.find(base);
  if (it != kinds.end() && args.empty()) return Type(it->second);
  return Type::other(std::string(declared));
}

// Ordinary tables only: virtual tables and their shadow tables (FTS5's x_data, ...) are the
// extension's business.
constexpr const char* kTables =
    "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
    "ESCAPE '\\' AND name IN (SELECT name FROM pragma_table_list WHERE schema = 'main' AND "
    "type = 'table') AND (?1 IS NULL OR name = ?1) ORDER BY name";
constexpr const char* kColumns =
    "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
    "FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p WHERE m.type = 'table' "
    "AND (?1 IS NULL OR m.name = ?1) AND p.hidden IN (0, 2, 3) ORDER BY m.name, p.cid";
constexpr const char* kForeignKeys =
    "SELECT m.name, p.id, p.\"table\", p.\"from\", p.\"to\", p.on_delete, p.on_update "
    "FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table' "
    "AND (?1 IS NULL OR m.name = ?1) ORDER BY m.name, p.id, p.seq";
constexpr const char* kIndexes =
    "SELECT m.name, il.name, il.\"unique\", il.origin, ii.name, s.sql FROM sqlite_schema m "
    "JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii "
    "LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = il.name "
    "WHERE m.type = 'table' AND (?1 IS NULL OR m.name = ?1) ORDER BY m.name, il.name, ii.seqno";

std::optional<std::string_view> only_ref(const std::optional<std::string>& only) {
  return only ? std::optional<std::string_view>(*only) : std::nullopt;
}

class SqliteReflector final : public Reflector {
 public:
  std::vector<std::string> table_names(Connection& conn) override { return names(conn, "table"); }
  std::vector<std::string> view_names(Connection& conn) override { return names(conn, "view"); }
  bool has_table(Connection& conn, const std::string& name) override {
    return !conn.execute(
                    "SELECT 1 FROM pragma_table_list(?) WHERE schema = 'main' AND "
                    "type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                    name)
                .empty();
  }
  bool has_relation(Connection& conn, const std::string& name) override {
    return !conn.execute(
                    "SELECT 1 FROM main.sqlite_schema WHERE name = ? COLLATE NOCASE "
                    "AND type IN ('table', 'view', 'index')",
                    name)
                .empty();
  }

  std::vector<Table> tables(Connection& conn, const std::optional<std::string>& only) override {
    std::vector<Table> tables;
    std::map<std::string, DdlTable> ddl;
    for (const auto& row : query(conn, kTables, only_ref(only))) {
      tables.emplace_back().name = row.get<std::string>(0);
      ddl[tables.back().name] = parse_create_table(row.get<std::string>(1));
    }
    read_columns(conn, only, tables, ddl);
    read_foreign_keys(conn, only, tables, ddl);
    read_indexes(conn, only, tables, ddl);
    for (auto& t : tables) read_checks(t, ddl[t.name]);
    return tables;
  }

 private:
  static std::vector<std::string> names(Connection& conn, std::string_view type) {
    std::vector<std::string> out;
    for (const auto& row :
         conn.execute("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = ? AND "
                      "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                      type)) {
      out.push_back(row.get<std::string>(0));
    }
    return out;
  }

  static const DdlConstraint* named(const DdlTable& ddl, DdlConstraint::Kind kind,
                                    const std::vector<std::string>& columns) {
    for (const auto& c : ddl.constraints) {
      if (c.kind == kind && c.columns == columns) return &c;
    }
    return nullptr;
  }

  struct KeyColumn {
    int position;
    std::string name;
    std::string declared;  // upper case, as SQLite keeps it
    bool operator<(const KeyColumn& o) const { return position < o.position; }
  };

  static void read_columns(Connection& conn, const std::optional<std::string>& only,
                           std::vector<Table>& tables, std::map<std::string, DdlTable>& ddl) {
    std::map<std::string, std::vector<KeyColumn>> keys;
    for (const auto& row : query(conn, kColumns, only_ref(only))) {
      Table* t = find_table(tables, row.get<std::string_view>(0));
      if (!t) continue;
      Column c(row.get<std::string>(1), normalize_type(row.get<std::string_view>(2)));
      c.nullable = row.get<int>(3) == 0;
      if (auto d = row.get<std::optional<std::string>>(4))
        c.server_default = parse_default(*d, c.type);
      // hidden 2 and 3: a VIRTUAL and a STORED generated column, whose expression only the
      // CREATE TABLE text holds.
      if (int hidden = row.get<int>(6); hidden != 0) {
        const auto& parsed = ddl[t->name].generated;
        auto g = parsed.find(fold_case(c.name));
        c.generated = Generated{g == parsed.end() ? "" : g->second.expression, hidden == 3};
      }
      if (int position = row.get<int>(5); position > 0) {
        keys[t->name].push_back({position, c.name, upper_words(row.get<std::string_view>(2))});
      }
      t->columns.push_back(std::move(c));
    }
    for (auto& [name, cols] : keys) read_primary_key(*find_table(tables, name), cols, ddl[name]);
  }

  static void read_primary_key(Table& t, std::vector<KeyColumn>& cols, const DdlTable& ddl) {
    std::sort(cols.begin(), cols.end());
    std::vector<std::string> names;
    for (const auto& c : cols) names.push_back(c.name);
    const auto* parsed = named(ddl, DdlConstraint::Kind::primary_key, names);
    t.add_primary_key(names, parsed ? parsed->name : "");
    // A lone key declared exactly INTEGER in a rowid table is the rowid: 64-bit, filled in
    // by SQLite.
    if (cols.size() == 1 && cols[0].declared == "INTEGER" && !ddl.without_rowid) {
      Column& key = *t.column(names[0]);
      key.type = Type::biginteger();
      key.autoincrement = true;
    }
  }

  static void read_foreign_keys(Connection& conn, const std::optional<std::string>& only,
                                std::vector<Table>& tables, std::map<std::string, DdlTable>& ddl) {
    std::string current_table;
    int current_id = -1;
    for (const auto& row : query(conn, kForeignKeys, only_ref(only))) {
      Table* t = find_table(tables, row.get<std::string_view>(0));
      if (!t) continue;
      int id = row.get<int>(1);
      if (t->name != current_table || id != current_id) {
        ForeignKey fk;
        fk.referred_table = row.get<std::string>(2);
        fk.on_delete = parse_fk_action(row.get<std::string_view>(5));
        fk.on_update = parse_fk_action(row.get<std::string_view>(6));
        t->foreign_keys.push_back(std::move(fk));
        current_table = t->name;
        current_id = id;
      }
      auto& fk = t->foreign_keys.back();
      fk.columns.push_back(row.get<std::string>(3));
      if (auto to = row.get<std::optional<std::string>>(4)) fk.referred_columns.push_back(*to);
    }
    for (auto& t : tables) {
      for (auto& fk : t.foreign_keys) {
        const auto* parsed = named(ddl[t.name], DdlConstraint::Kind::foreign_key, fk.columns);
        if (parsed) fk.name = parsed->name;
        if (fk.referred_columns.empty())
          fk.referred_columns = referred_primary_key(conn, tables, fk);
      }
    }
  }

  // REFERENCES parent without columns means the parent's primary key, read from the catalog
  // when the parent is not among the tables being reflected.
  static std::vector<std::string> referred_primary_key(Connection& conn, std::vector<Table>& tables,
                                                       const ForeignKey& fk) {
    if (Table* parent = find_table(tables, fk.referred_table)) {
      return parent->primary_key ? parent->primary_key->columns : std::vector<std::string>{};
    }
    std::vector<std::string> key;
    for (const auto& row : conn.execute(
             "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", fk.referred_table)) {
      key.push_back(row.get<std::string>(0));
    }
    return key;
  }

  static void read_indexes(Connection& conn, const std::optional<std::string>& only,
                           std::vector<Table>& tables, std::map<std::string, DdlTable>& ddl) {
    std::map<std::pair<std::string, std::string>, Index> found;
    std::map<std::pair<std::string, std::string>, std::string> origins;
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> expressions;
    for (const auto& row : query(conn, kIndexes, only_ref(only))) {
      auto key = std::make_pair(row.get<std::string>(0), row.get<std::string>(1));
      auto& index = found[key];
      index.name = key.second;
      index.unique = row.get<int>(2) != 0;
      index.columns.push_back(row.get<std::optional<std::string>>(4).value_or(""));
      if (auto sql = row.get<std::optional<std::string>>(5)) {
        index.where = parse_index_where(*sql);
        expressions[key] = parse_index_columns(*sql);
      }
      origins[key] = row.get<std::string>(3);
    }
    for (auto& [key, index] : found) {
      Table* t = find_table(tables, key.first);
      const std::string& origin = origins[key];
      if (origin == "pk") continue;
      // An expression key has no column name; its text comes from the CREATE INDEX.
      const auto& written = expressions[key];
      for (std::size_t i = 0; i < index.columns.size() && i < written.size(); ++i) {
        if (index.columns[i].empty()) index.columns[i] = written[i];
      }
      if (origin == "u") {
        const auto* parsed = named(ddl[t->name], DdlConstraint::Kind::unique, index.columns);
        t->unique_constraints.push_back({parsed ? parsed->name : "", index.columns});
        continue;
      }
      t->indexes.push_back(std::move(index));
    }
  }

  static void read_checks(Table& t, const DdlTable& ddl) {
    for (const auto& c : ddl.constraints) {
      if (c.kind == DdlConstraint::Kind::check)
        t.check_constraints.push_back({c.name, c.condition});
    }
  }
};

}  // namespace

std::unique_ptr<Reflector> SqliteDialect::reflector(std::string /*schema*/) const {
  return std::make_unique<SqliteReflector>();
}

}  // namespace strata::detail
