// strata beside the raw C APIs and the C++ libraries a developer would pick instead, in one
// run: SOCI (sqlite3 and postgresql backends), SQLiteCpp (SQLite) and libpqxx (PostgreSQL).
// Every library runs the same four workloads on a fresh table of its own:
//   insert  N rows in one transaction (a prepared INSERT per row; the ORM's flush batches);
//   get     primary-key lookups, one statement each (the ORM: one get_many of the same keys);
//   load    every row, all columns, into a vector of structs;
//   update  rows 1..U by key in one transaction (the ORM reads them first, then flushes).
// Every SQLite side runs with strata's defaults (kSqlitePragmas), foreign key checks included:
// SQLite's own default is off, and checking costs some 1.5% of the insert even on a table
// without foreign keys.
// "strata batched" is the Connection using what saves round trips: copy_in for the insert (a
// COPY on PostgreSQL, prepared INSERTs on SQLite), one query for all the keys (PostgreSQL) or a
// PreparedStatement (SQLite) for the gets, execute_many for the update.
// The libraries take turns for STRATA_BENCH_ROUNDS rounds (5), each round starting with the
// next one, and the medians are printed as ratios to the raw C API (1.00x = raw). PostgreSQL
// (STRATA_TEST_POSTGRES_URL; make bench starts one) runs twice: directly, and through
// bench/latency_proxy with STRATA_BENCH_DELAY_US (500) added each way, about 1 ms a round trip.
// The counts of each table can be set as "rows,gets,updates" in STRATA_BENCH_SQLITE_COUNTS,
// STRATA_BENCH_PG_COUNTS and STRATA_BENCH_PROXY_COUNTS (defaults below). STRATA_BENCH_SAMPLES
// names a CSV file that gets every timing (table, round, side, workload, seconds).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "latency_proxy.hpp"
#include "peers.hpp"
#include "timing.hpp"

namespace peers = strata::bench::peers;
using peers::Counts;
using peers::Db;
using peers::Target;

namespace {

const std::vector<std::string> kWorkloads = {"insert", "get", "load", "update"};

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::max(1, std::atoi(value)) : fallback;
}

// `fallback`, or the counts "rows,gets,updates" that the variable `name` gives.
Counts env_counts(const char* name, Counts fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  Counts c;
  char extra = 0;
  if (std::sscanf(value, "%d,%d,%d%c", &c.rows, &c.gets, &c.updates, &extra) != 3 || c.rows < 1 ||
      c.gets < 1 || c.updates < 1 || c.updates > c.rows) {
    throw std::runtime_error(std::string(name) + "='" + value +
                             "': expected rows,gets,updates, each at least 1, updates <= rows");
  }
  return c;
}

// The peers this build has: CMake leaves out the ones whose package is missing.
std::vector<peers::Named> sides(const Target& t) {
  std::vector<peers::Named> out;
  out.push_back({"raw C API", peers::raw_side(t)});
  out.push_back({"strata Connection", peers::strata_connection_side(t)});
  out.push_back({"strata batched", peers::strata_batched_side(t)});
  out.push_back({"strata Session", peers::strata_session_side(t)});
#ifdef STRATA_BENCH_SOCI
  out.push_back({"SOCI", peers::soci_side(t)});
#endif
#ifdef STRATA_BENCH_SQLITECPP
  if (t.db == Db::sqlite) out.push_back({"SQLiteCpp", peers::sqlitecpp_side(t)});
#endif
#ifdef STRATA_BENCH_PQXX
  if (t.db == Db::postgres) out.push_back({"libpqxx", peers::pqxx_side(t)});
#endif
  return out;
}

// What the checks expect: the checksums of the rows read, and SUM(price) after the update.
struct Expected {
  std::int64_t get = 0;
  std::int64_t load = 0;
  double prices = 0;
};

peers::Item row(std::int64_t id) {
  return {id, peers::name_of(id), peers::price_of(id), peers::qty_of(id)};
}

Expected expected(const Counts& c) {
  Expected e;
  for (int i = 0; i < c.gets; ++i) e.get += peers::checksum(row(peers::lookup_id(i, c)));
  for (std::int64_t id = 1; id <= c.rows; ++id) {
    e.load += peers::checksum(row(id));
    e.prices += id <= c.updates ? peers::updated_price(id) : peers::price_of(id);
  }
  return e;
}

void require(bool ok, const std::string& side, const std::string& what) {
  if (!ok) throw std::runtime_error(side + ": wrong result of " + what);
}

// Seconds of each workload, per side.
using Samples = std::map<std::string, std::map<std::string, std::vector<double>>>;

// One side's turn in a round: a fresh table, the four workloads timed, the results checked.
void turn(peers::Named& s, const Target& t, const Expected& e, Samples& samples) {
  auto& times = samples[s.name];
  s.side->open();
  std::int64_t got = 0, loaded = 0;
  times["insert"].push_back(strata::bench::seconds([&] { s.side->insert(); }));
  times["get"].push_back(strata::bench::seconds([&] { got = s.side->get(); }));
  times["load"].push_back(strata::bench::seconds([&] { loaded = s.side->load(); }));
  times["update"].push_back(strata::bench::seconds([&] { s.side->update(); }));
  s.side->close();
  require(got == e.get, s.name, "get");
  require(loaded == e.load, s.name, "load");
  require(std::abs(peers::price_total(t) - e.prices) < 1e-6 * e.prices, s.name, "update");
}

void print_table(const std::string& title, const Counts& c, int rounds,
                 const std::vector<peers::Named>& all, Samples& samples) {
  std::printf("\n%s: %d rows, %d gets, %d updates; medians of %d rounds, ratio to raw\n",
              title.c_str(), c.rows, c.gets, c.updates, rounds);
  std::printf("  %-8s %10s", "workload", "raw ms");
  for (std::size_t i = 1; i < all.size(); ++i) std::printf(" %18s", all[i].name.c_str());
  std::printf("\n");
  for (const auto& w : kWorkloads) {
    double raw = strata::bench::median(samples[all[0].name][w]);
    std::printf("  %-8s %10.1f", w.c_str(), raw * 1000);
    for (std::size_t i = 1; i < all.size(); ++i) {
      const double ratio = strata::bench::median(samples[all[i].name][w]) / raw;
      // Batched sides can run hundreds of times faster than raw: four decimals keep them apart.
      std::printf(ratio < 0.1 ? " %17.4fx" : " %17.2fx", ratio);
    }
    std::printf("\n");
  }
  std::fflush(stdout);
}

void write_samples(const std::string& title, const Samples& samples) {
  const char* path = std::getenv("STRATA_BENCH_SAMPLES");
  if (!path || !*path) return;
  std::FILE* out = std::fopen(path, "a");
  if (!out) throw std::runtime_error(std::string("cannot append to ") + path);
  for (const auto& [side, workloads] : samples) {
    for (const auto& [w, times] : workloads) {
      for (std::size_t r = 0; r < times.size(); ++r) {
        std::fprintf(out, "\"%s\",%zu,\"%s\",%s,%.9f\n", title.c_str(), r, side.c_str(), w.c_str(),
                     times[r]);
      }
    }
  }
  std::fclose(out);
}

void run(const std::string& title, const Target& t) {
  const int rounds = env_int("STRATA_BENCH_ROUNDS", 5);
  const Expected e = expected(t.counts);
  auto all = sides(t);
  Samples samples;
  // Each round starts one side later, so that no side always runs first (cold caches, the
  // allocator's first pages) or always after the same neighbour.
  for (std::size_t r = 0; r < static_cast<std::size_t>(rounds); ++r) {
    for (std::size_t k = 0; k < all.size(); ++k) turn(all[(r + k) % all.size()], t, e, samples);
  }
  print_table(title, t.counts, rounds, all, samples);
  write_samples(title, samples);
}

void bench_sqlite() {
  auto dir = std::filesystem::temp_directory_path() / "strata-peers-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  run("SQLite file (WAL, synchronous=NORMAL, foreign_keys=ON)",
      {Db::sqlite, (dir / "bench.db").string(),
       env_counts("STRATA_BENCH_SQLITE_COUNTS", {200'000, 100'000, 20'000})});
  std::filesystem::remove_all(dir);
}

// `url` with its host and port swapped for the proxy's.
std::string through_proxy(const strata::Url& url, std::uint16_t port) {
  std::string out = "postgresql://" + url.username();
  if (!url.password().empty()) out += ":" + url.password();
  out += "@127.0.0.1:" + std::to_string(port) + "/" + url.database();
  char sep = '?';
  for (const auto& [name, value] : url.params()) {
    out += sep + name + "=" + value;
    sep = '&';
  }
  return out;
}

void bench_postgres(const std::string& url) {
  run("PostgreSQL",
      {Db::postgres, url, env_counts("STRATA_BENCH_PG_COUNTS", {20'000, 20'000, 10'000})});
  const auto parsed = strata::Url::parse(url);
  if (parsed.host().empty() || parsed.host().front() == '/') {
    std::printf("\nPostgreSQL +1 ms RTT: skipped (the URL names no TCP host)\n");
    return;
  }
  const int delay_us = env_int("STRATA_BENCH_DELAY_US", 500);
  strata::bench::LatencyProxy proxy(parsed.host(), parsed.port().value_or(5432),
                                    std::chrono::microseconds(delay_us));
  char title[96];
  std::snprintf(title, sizeof title, "PostgreSQL +%g ms RTT (proxy, %d us each way)",
                2 * delay_us / 1000.0, delay_us);
  run(title, {Db::postgres, through_proxy(parsed, proxy.port()),
              env_counts("STRATA_BENCH_PROXY_COUNTS", {2'000, 2'000, 1'000})});
}

void print_skipped() {
  std::string skipped = STRATA_BENCH_SKIPPED;
  if (!skipped.empty()) std::printf("peers not built (package missing):%s\n", skipped.c_str());
}

}  // namespace

int main() {
  try {
    print_skipped();
    bench_sqlite();
    const char* pg = std::getenv("STRATA_TEST_POSTGRES_URL");
    if (pg && *pg) {
      bench_postgres(pg);
    } else {
      std::printf("\nPostgreSQL: skipped (set STRATA_TEST_POSTGRES_URL, or run make bench)\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peers_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
