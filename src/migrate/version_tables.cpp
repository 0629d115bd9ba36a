#include "version_tables.hpp"

#include "strata/schema/metadata.hpp"
#include "strata/sql/execute.hpp"
#include "strata/sql/statement.hpp"
#include "strata/version.hpp"

namespace strata::migrate {

Table VersionTables::version_table() const {
  Table t(version, {Column("version_num", Type::text()).primary_key()});
  NamingConvention{}.apply(t);
  return t;
}

Table VersionTables::history_table() const {
  Table t(
      history,
      {Column("id", Type::biginteger()).primary_key(), Column("revision", Type::text()).not_null(),
       Column("direction", Type::string(10)).not_null(), Column("checksum", Type::text()),
       Column("applied_at", Type::datetime_tz()).not_null().default_now(),
       Column("duration_ms", Type::biginteger()), Column("strata_version", Type::text())});
  NamingConvention{}.apply(t);
  return t;
}

std::vector<std::string> VersionTables::read_heads(Connection& conn) const {
  const sql::Source table = version_table();
  const sql::Expr column = table.unqualified("version_num");
  std::vector<std::string> heads;
  for (const auto& row : sql::execute(conn, sql::select({column}).from(table).order_by({column}))) {
    heads.push_back(row.get<std::string>(0));
  }
  return heads;
}

// Values are written as literals rather than bound: offline scripts print these statements.
std::vector<std::string> VersionTables::write_heads_sql(
    const Dialect& dialect, const std::vector<std::string>& heads) const {
  const Table table = version_table();
  std::vector<std::string> out{sql::literal_sql(sql::delete_(table), dialect)};
  for (const auto& head : heads) {
    out.push_back(sql::literal_sql(sql::insert(table).values({{"version_num", head}}), dialect));
  }
  return out;
}

std::vector<std::string> VersionTables::record_sql(const Dialect& dialect, const Step& step,
                                                   std::optional<std::int64_t> duration_ms) const {
  auto out = write_heads_sql(dialect, step.heads_after);
  const std::string& checksum = step.revision->checksum;
  auto row = sql::insert(history_table())
                 .values({{"revision", step.revision->id},
                          {"direction", step.upgrade ? "upgrade" : "downgrade"},
                          {"checksum", checksum.empty() ? Value() : Value(checksum)},
                          {"duration_ms", duration_ms ? Value(*duration_ms) : Value()},
                          {"strata_version", std::string(version_string)}});
  out.push_back(sql::literal_sql(row, dialect));
  return out;
}

}  // namespace strata::migrate
