// Reflection of a database of 500 tables with 10 columns each (a primary key, an index, a
// unique constraint, a foreign key to the previous table), on SQLite and PostgreSQL.
// Baseline in the same run: fetching the rows of the same catalog queries without building
// any Table, which is what the database itself costs. Goals: under 0.5 s on SQLite and under
// 1 s on PostgreSQL. Median of three runs each; the machine is shared, so read the ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <strata/dialect/inspector.hpp>
#include <strata/schema/metadata.hpp>
#include <strata/strata.hpp>
#include <vector>

#include "schema_model.hpp"
#include "timing.hpp"

namespace {

constexpr int kTables = 500;

strata::MetaData model() {
  return bench_schema(kTables);
}

// The catalog rows alone: what reading the schema costs the database and the driver.
void fetch_catalog(strata::Engine& engine) {
  auto conn = engine.connect();
  const char* queries[] = {
      "SELECT m.name, p.* FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p",
      "SELECT m.name, p.* FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) p",
      "SELECT m.name, il.*, ii.* FROM sqlite_schema m JOIN pragma_index_list(m.name) il "
      "JOIN pragma_index_info(il.name) ii",
      "SELECT name, sql FROM sqlite_schema"};
  const char* pg_queries[] = {
      "SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
      "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace",
      "SELECT conname, conkey, confkey FROM pg_constraint WHERE connamespace = "
      "'public'::regnamespace",
      "SELECT indexrelid, indkey FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid "
      "WHERE c.relnamespace = 'public'::regnamespace",
      "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"};
  std::size_t cells = 0;
  for (const char* sql : engine.backend() == strata::Backend::sqlite ? queries : pg_queries) {
    for (const auto& row : conn.execute(sql)) cells += static_cast<std::size_t>(row.size());
  }
  if (cells == 0) std::abort();
}

void run(const char* name, const std::string& url, double goal) {
  auto engine = strata::create_engine(url);
  auto md = model();
  md.drop_all(engine);
  md.create_all(engine);
  std::size_t count = 0;
  auto t = strata::bench::interleaved(
      {[&] { count = strata::Inspector(engine).tables().size(); }, [&] { fetch_catalog(engine); }},
      3);
  double ours = t[0];
  double floor = t[1];
  std::printf(
      "%-11s reflect %d tables: %.3f s (goal < %.1f s: %s); catalog rows alone %.3f s; "
      "ratio %.2fx\n",
      name, static_cast<int>(count), ours, goal, ours < goal ? "met" : "MISSED", floor,
      ours / floor);
  md.drop_all(engine);
}

}  // namespace

int main() try {
  auto dir = std::filesystem::temp_directory_path() / "strata-schema-bench";
  std::filesystem::create_directories(dir);
  run("sqlite:", "sqlite:///" + (dir / "bench.db").string(), 0.5);
  std::filesystem::remove_all(dir);
  const char* pg = std::getenv("STRATA_TEST_POSTGRES_URL");
  if (!pg) {
    std::printf("postgresql: skipped (STRATA_TEST_POSTGRES_URL not set; run `make bench`)\n");
    return 0;
  }
  run("postgresql:", pg, 1.0);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "schema_bench: %s\n", e.what());
  return 1;
}
