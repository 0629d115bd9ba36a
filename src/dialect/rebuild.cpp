// What every dialect shares in carrying out a table rebuild; SQLite's own way is in
// sqlite_rebuild.cpp.
#include "strata/dialect/dialect.hpp"
#include "strata/engine/connection.hpp"

namespace strata {

void Dialect::carry_out(Connection& conn, const TableRebuild& rebuild,
                        const ProgressFn& /*progress*/) const {
  for (const auto& sql : rebuild.statements) conn.execute_script(sql);
}

std::optional<ForeignKeyViolation> Dialect::broken_by_rebuild(
    Connection& conn, const ForeignKeyViolations& before,
    const std::set<std::string>& rebuilt) const {
  for (const auto& v : foreign_key_violations(conn)) {
    bool old = before.count(v) > 0;
    if (old && !rebuilt.count(v.table) && !rebuilt.count(v.parent)) continue;
    return v;
  }
  return std::nullopt;
}

}  // namespace strata
