#include "version_tables.hpp"

#include <fmt/format.h>

#include "strata/schema/metadata.hpp"
#include "strata/version.hpp"

namespace strata::migrate {
namespace {

std::string text(const Dialect& dialect, const std::string& value) {
  return dialect.literal(Value(value), Type::text());
}

}  // namespace

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

std::vector<std::string> VersionTables::write_heads_sql(
    const Dialect& dialect, const std::vector<std::string>& heads) const {
  std::vector<std::string> out{"DELETE FROM " + dialect.quote(version)};
  for (const auto& head : heads) {
    out.push_back(fmt::format("INSERT INTO {} (version_num) VALUES ({})", dialect.quote(version),
                              text(dialect, head)));
  }
  return out;
}

std::vector<std::string> VersionTables::record_sql(const Dialect& dialect, const Step& step,
                                                   std::optional<std::int64_t> duration_ms) const {
  auto out = write_heads_sql(dialect, step.heads_after);
  out.push_back(fmt::format(
      "INSERT INTO {} (revision, direction, checksum, duration_ms, strata_version) VALUES ({}, "
      "{}, {}, {}, {})",
      dialect.quote(history), text(dialect, step.revision->id),
      text(dialect, step.upgrade ? "upgrade" : "downgrade"),
      step.revision->checksum.empty() ? "NULL" : text(dialect, step.revision->checksum),
      duration_ms ? std::to_string(*duration_ms) : "NULL", text(dialect, version_string)));
  return out;
}

}  // namespace strata::migrate
