// The SQL compiler's cost, in one process and one run:
//   - compiling a typical select (a join, three conditions, an order, a limit), on average;
//     goal: under 2 microseconds;
//   - running one such statement again and again: a statement object that keeps its compiled
//     text (new values through bindparams), against compiling it before every execution, and
//     against building and compiling a new statement each time. Printed as ratios.
// Each measure runs three times, interleaved, and the median counts: the machine is shared and
// noisy. PostgreSQL runs against STRATA_TEST_POSTGRES_URL (make bench starts a server).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <strata/schema/metadata.hpp>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "timing.hpp"

namespace {

namespace sql = strata::sql;

constexpr int kCompiles = 200'000;
constexpr int kExecutions = 20'000;
constexpr int kRounds = 3;
constexpr int kUsers = 1'000;
constexpr int kItemsPerUser = 5;

const strata::MetaData& metadata() {
  static const strata::MetaData md = [] {
    using strata::Column;
    using strata::Type;
    strata::MetaData m;
    m.add(strata::Table("bench_users", {Column("id", Type::biginteger()).primary_key(),
                                        Column("email", Type::string(200)).not_null(),
                                        Column("score", Type::integer())}));
    m.add(strata::Table(
        "bench_items",
        {Column("id", Type::biginteger()).primary_key(),
         Column("owner_id", Type::biginteger()).not_null().index().references("bench_users.id"),
         Column("title", Type::string(200)).not_null(), Column("price", Type::float64())}));
    return m;
  }();
  return md;
}

const strata::Table& users_table() {
  return *metadata().table("bench_users");
}
const strata::Table& items_table() {
  return *metadata().table("bench_items");
}

// The typical select, with the values of its three conditions and its limit: bindparams
// for a statement built once, plain values for one built per request.
sql::Select typical_select(const sql::Expr& user, const sql::Expr& max_price,
                           const sql::Expr& pattern, const sql::Expr& limit) {
  static const sql::Source users{users_table()};
  static const sql::Source items{items_table()};
  return sql::select({users.c("id"), users.c("email"), items.c("title"), items.c("price")})
      .from(users)
      .join(items, items.c("owner_id") == users.c("id"))
      .where(users.c("id") == user && items.c("price") < max_price &&
             users.c("email").like(pattern))
      .order_by({items.c("price").desc()})
      .limit(limit);
}

std::vector<double> measure(const std::vector<std::function<void()>>& work) {
  return strata::bench::interleaved(work, kRounds);
}

void bench_compile(const strata::Dialect& dialect) {
  auto stmt = typical_select(7, 100.0, "%@example.com", 20);
  std::size_t sink = 0;
  auto t = measure(
      {[&] {
         for (int i = 0; i < kCompiles; ++i) sink += sql::compile(stmt, dialect).sql.size();
       },
       [&] {
         for (int i = 0; i < kCompiles; ++i) {
           sink += sql::compile(typical_select(i, 100.0, "%@example.com", 20), dialect).sql.size();
         }
       }});
  double compile_us = t[0] / kCompiles * 1e6;
  std::printf("%-11s compile a typical select  %6.3f us  (goal < 2 us: %s)\n",
              std::string(dialect.name()).c_str(), compile_us, compile_us < 2 ? "met" : "MISSED");
  std::printf("%-11s build and compile it      %6.3f us\n", std::string(dialect.name()).c_str(),
              t[1] / kCompiles * 1e6);
  if (sink == 0) std::printf("(nothing compiled)\n");
}

void seed(strata::Connection& conn) {
  const auto& dialect = strata::Dialect::of(conn.backend());
  auto tables = metadata().sorted_tables();
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
    conn.execute_script("DROP TABLE IF EXISTS " + dialect.quote((*it)->name));
  }
  for (const auto* table : tables) {
    for (const auto& ddl : dialect.create_table(*table)) conn.execute_script(ddl);
  }
  auto tx = conn.begin();
  for (int u = 1; u <= kUsers; ++u) {
    sql::execute(conn, sql::insert(users_table())
                           .values({{"id", u},
                                    {"email", "user" + std::to_string(u) + "@example.com"},
                                    {"score", u % 10}}));
    auto items = sql::insert(items_table());
    for (int i = 0; i < kItemsPerUser; ++i) {
      items.values({{"owner_id", u}, {"title", "item " + std::to_string(i)}, {"price", i * 30.0}});
    }
    sql::execute(conn, items);
  }
  tx.commit();
}

std::int64_t read_all(strata::Result result) {
  std::int64_t checksum = 0;
  for (const auto& row : result) checksum += row.get<std::int64_t>(0);
  return checksum;
}

void bench_execute(strata::Engine engine) {
  auto conn = engine.connect();
  seed(conn);
  const auto& dialect = strata::Dialect::of(conn.backend());
  auto kept = typical_select(sql::bindparam("user"), sql::bindparam("max_price"),
                             sql::bindparam("pattern"), sql::bindparam("limit"));
  const std::string pattern = "%@example.com";
  auto user_of = [](int i) { return i % kUsers + 1; };
  std::int64_t a = 0, b = 0, c = 0;
  auto t = measure(
      {[&] {
         for (int i = 0; i < kExecutions; ++i) {
           a += read_all(sql::execute(
               conn, kept,
               {{"user", user_of(i)}, {"max_price", 100.0}, {"pattern", pattern}, {"limit", 20}}));
         }
       },
       [&] {
         for (int i = 0; i < kExecutions; ++i) {
           auto compiled = sql::compile(kept, dialect);
           const strata::ValueRef values[] = {user_of(i), 100.0, pattern, 20};
           b += read_all(conn.execute_native(compiled.sql, values));
         }
       },
       [&] {
         for (int i = 0; i < kExecutions; ++i) {
           c += read_all(sql::execute(conn, typical_select(user_of(i), 100.0, pattern, 20)));
         }
       }});
  if (a != b || b != c) throw std::runtime_error("the three ways disagree on the rows");
  auto us = [](double s) { return s / kExecutions * 1e6; };
  std::printf(
      "%-11s run the typical select    kept compiled %7.2f us | compiled each time "
      "%7.2f us (%.2fx) | built and compiled each time %7.2f us (%.2fx)\n",
      std::string(dialect.name()).c_str(), us(t[0]), us(t[1]), t[1] / t[0], us(t[2]), t[2] / t[0]);
  std::fflush(stdout);
}

}  // namespace

int main() try {
  std::printf("sql_bench: median of %d interleaved rounds; %d compiles, %d executions each\n",
              kRounds, kCompiles, kExecutions);
  bench_compile(strata::Dialect::of(strata::Backend::sqlite));
  bench_compile(strata::Dialect::of(strata::Backend::postgresql));

  auto dir = std::filesystem::temp_directory_path() / "strata-sql-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto engine = strata::create_engine("sqlite:///" + (dir / "bench.db").string());
    bench_execute(engine);
    engine.dispose();
  }
  std::filesystem::remove_all(dir);

  const char* pg = std::getenv("STRATA_TEST_POSTGRES_URL");
  if (!pg) {
    std::printf(
        "postgresql: execution skipped (STRATA_TEST_POSTGRES_URL not set; run `make "
        "bench`)\n");
    return 0;
  }
  bench_execute(strata::create_engine(pg));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "sql_bench: %s\n", e.what());
  return 1;
}
