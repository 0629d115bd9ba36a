// Connection::execute against the raw C APIs (sqlite3, libpq), in one process and one run:
//   - insert 200,000 rows of 6 columns in one transaction;
//   - 100,000 primary-key lookups, each materialised into a struct.
// Each side runs three times, interleaved, and the median is compared: the machine is shared
// and noisy, so only the ratio means anything. Goal: strata within 1.15x of the raw API.
// PostgreSQL runs against STRATA_TEST_POSTGRES_URL (make bench starts a server).
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "timing.hpp"

namespace {

constexpr int kRows = 200'000;
constexpr int kLookups = 100'000;
constexpr int kRounds = 3;

struct Item {
  std::int64_t id = 0;
  std::string title;
  double price = 0;
  std::int64_t quantity = 0;
  bool active = false;
  std::string note;
};

std::string title_of(int i) {
  return "item number " + std::to_string(i);
}
constexpr const char* kCreate =
    "DROP TABLE IF EXISTS bench_items; CREATE TABLE bench_items (id BIGINT PRIMARY KEY, "
    "title TEXT NOT NULL, price DOUBLE PRECISION, quantity BIGINT, active BOOLEAN, note TEXT)";
constexpr const char* kInsert =
    "INSERT INTO bench_items (id, title, price, quantity, active, note) VALUES (?, ?, ?, ?, ?, ?)";
constexpr const char* kSelect =
    "SELECT id, title, price, quantity, active, note FROM bench_items WHERE id = ?";
constexpr const char* kInsertPg =
    "INSERT INTO bench_items (id, title, price, quantity, active, note) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
constexpr const char* kSelectPg =
    "SELECT id, title, price, quantity, active, note FROM bench_items WHERE id = $1";

std::int64_t lookup_id(int i) {
  return (static_cast<std::int64_t>(i) * 7919) % kRows;
}

// strata ------------------------------------------------------------------------------------

void strata_insert(strata::Engine& engine) {
  auto conn = engine.connect();
  conn.execute_script(kCreate);
  auto tx = conn.begin();
  const std::string note = "a note";
  for (int i = 0; i < kRows; ++i) {
    conn.execute(kInsert, i, title_of(i), i * 0.5, i % 100, i % 2 == 0, note);
  }
  tx.commit();
}

std::int64_t strata_lookup(strata::Engine& engine) {
  auto conn = engine.connect();
  std::int64_t checksum = 0;
  Item item;
  for (int i = 0; i < kLookups; ++i) {
    auto result = conn.execute(kSelect, lookup_id(i));
    auto row = result.row();
    item.id = row.get<std::int64_t>(0);
    item.title = row.get<std::string_view>(1);
    item.price = row.get<double>(2);
    item.quantity = row.get<std::int64_t>(3);
    item.active = row.get<bool>(4);
    item.note = row.get<std::string_view>(5);
    checksum += item.id + static_cast<std::int64_t>(item.title.size());
  }
  return checksum;
}

// sqlite3 C API -----------------------------------------------------------------------------

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(sqlite3_errmsg(db));
  }
}

sqlite3* sqlite_open(const std::string& path) {
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db);
  check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                     "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000",
                     nullptr, nullptr, nullptr),
        db);
  return db;
}

void sqlite_insert(const std::string& path) {
  sqlite3* db = sqlite_open(path);
  check(sqlite3_exec(db, kCreate, nullptr, nullptr, nullptr), db);
  check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db);
  sqlite3_stmt* stmt = nullptr;
  check(sqlite3_prepare_v2(db, kInsert, -1, &stmt, nullptr), db);
  const std::string note = "a note";
  for (int i = 0; i < kRows; ++i) {
    std::string title = title_of(i);
    sqlite3_bind_int64(stmt, 1, i);
    sqlite3_bind_text(stmt, 2, title.data(), static_cast<int>(title.size()), SQLITE_STATIC);
    sqlite3_bind_double(stmt, 3, i * 0.5);
    sqlite3_bind_int64(stmt, 4, i % 100);
    sqlite3_bind_int(stmt, 5, i % 2 == 0);
    sqlite3_bind_text(stmt, 6, note.data(), static_cast<int>(note.size()), SQLITE_STATIC);
    check(sqlite3_step(stmt), db);
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
  sqlite3_close(db);
}

std::int64_t sqlite_lookup(const std::string& path) {
  sqlite3* db = sqlite_open(path);
  sqlite3_stmt* stmt = nullptr;
  check(sqlite3_prepare_v2(db, kSelect, -1, &stmt, nullptr), db);
  std::int64_t checksum = 0;
  Item item;
  for (int i = 0; i < kLookups; ++i) {
    sqlite3_bind_int64(stmt, 1, lookup_id(i));
    if (sqlite3_step(stmt) != SQLITE_ROW) throw std::runtime_error("row missing");
    auto text = [&](int c) {
      return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
                              static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
    };
    item.id = sqlite3_column_int64(stmt, 0);
    item.title = text(1);
    item.price = sqlite3_column_double(stmt, 2);
    item.quantity = sqlite3_column_int64(stmt, 3);
    item.active = sqlite3_column_int(stmt, 4) != 0;
    item.note = text(5);
    checksum += item.id + static_cast<std::int64_t>(item.title.size());
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return checksum;
}

// libpq -------------------------------------------------------------------------------------

PGconn* pg_open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
  return conn;
}

void pg_ok(PGresult* r, PGconn* conn) {
  auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    PQclear(r);
    throw std::runtime_error(PQerrorMessage(conn));
  }
  PQclear(r);
}

void pg_insert(const std::string& url) {
  PGconn* conn = pg_open(url);
  pg_ok(PQexec(conn, kCreate), conn);
  pg_ok(PQexec(conn, "BEGIN"), conn);
  pg_ok(PQprepare(conn, "ins", kInsertPg, 0, nullptr), conn);
  const std::string note = "a note";
  char id[24], price[32], quantity[24];
  for (int i = 0; i < kRows; ++i) {
    std::string title = title_of(i);
    *std::to_chars(id, id + 23, i).ptr = '\0';
    *std::to_chars(price, price + 31, i * 0.5).ptr = '\0';
    *std::to_chars(quantity, quantity + 23, i % 100).ptr = '\0';
    const char* values[6] = {id,       title.c_str(),          price,
                             quantity, i % 2 == 0 ? "t" : "f", note.c_str()};
    pg_ok(PQexecPrepared(conn, "ins", 6, values, nullptr, nullptr, 0), conn);
  }
  pg_ok(PQexec(conn, "COMMIT"), conn);
  PQfinish(conn);
}

std::int64_t pg_lookup(const std::string& url) {
  PGconn* conn = pg_open(url);
  pg_ok(PQprepare(conn, "sel", kSelectPg, 0, nullptr), conn);
  std::int64_t checksum = 0;
  Item item;
  char id[24];
  for (int i = 0; i < kLookups; ++i) {
    *std::to_chars(id, id + 23, lookup_id(i)).ptr = '\0';
    const char* values[1] = {id};
    PGresult* r = PQexecPrepared(conn, "sel", 1, values, nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
      throw std::runtime_error("row missing");
    }
    auto text = [&](int c) {
      return std::string_view(PQgetvalue(r, 0, c), static_cast<std::size_t>(PQgetlength(r, 0, c)));
    };
    auto number = [&](int c, auto& out) {
      auto t = text(c);
      std::from_chars(t.data(), t.data() + t.size(), out);
    };
    number(0, item.id);
    item.title = text(1);
    number(2, item.price);
    number(3, item.quantity);
    item.active = text(4) == "t";
    item.note = text(5);
    checksum += item.id + static_cast<std::int64_t>(item.title.size());
    PQclear(r);
  }
  PQfinish(conn);
  return checksum;
}

// Harness -----------------------------------------------------------------------------------

void compare(const char* name, const std::function<void()>& ours, const std::function<void()>& raw,
             const char* baseline) {
  auto t = strata::bench::interleaved({ours, raw}, kRounds);
  double ratio = t[0] / t[1];
  std::printf("%-34s strata %8.3f s  %-7s %8.3f s  ratio %5.2fx  %s\n", name, t[0], baseline, t[1],
              ratio, ratio <= 1.15 ? "(goal <= 1.15x: met)" : "(goal <= 1.15x: MISSED)");
  std::fflush(stdout);
}

void run_sqlite() {
  auto dir = std::filesystem::temp_directory_path() / "strata-bench";
  std::filesystem::create_directories(dir);
  auto ours = (dir / "strata.db").string();
  auto raw = (dir / "raw.db").string();
  auto engine = strata::create_engine("sqlite:///" + ours);
  compare(
      "sqlite: insert 200,000 rows", [&] { strata_insert(engine); }, [&] { sqlite_insert(raw); },
      "sqlite3");
  std::int64_t x = 0, y = 0;
  compare(
      "sqlite: 100,000 primary-key lookups", [&] { x = strata_lookup(engine); },
      [&] { y = sqlite_lookup(raw); }, "sqlite3");
  if (x != y) throw std::runtime_error("sqlite lookups disagree");
  engine.dispose();
  std::filesystem::remove_all(dir);
}

void run_postgres(const std::string& url) {
  auto engine = strata::create_engine(url);
  std::string raw_url = strata::Url::parse(url).unmasked();
  compare(
      "postgresql: insert 200,000 rows", [&] { strata_insert(engine); },
      [&] { pg_insert(raw_url); }, "libpq");
  std::int64_t x = 0, y = 0;
  compare(
      "postgresql: 100,000 primary-key lookups", [&] { x = strata_lookup(engine); },
      [&] { y = pg_lookup(raw_url); }, "libpq");
  if (x != y) throw std::runtime_error("postgresql lookups disagree");
  engine.connect().execute_script("DROP TABLE IF EXISTS bench_items");
}

}  // namespace

int main() try {
  std::printf("engine_bench: median of %d interleaved rounds; ratio = strata / raw C API\n",
              kRounds);
  run_sqlite();
  const char* pg = std::getenv("STRATA_TEST_POSTGRES_URL");
  if (!pg) {
    std::printf("postgresql: skipped (STRATA_TEST_POSTGRES_URL not set; run `make bench`)\n");
    return 0;
  }
  run_postgres(pg);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "engine_bench: %s\n", e.what());
  return 1;
}
