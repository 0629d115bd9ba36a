// The ORM against the raw C APIs (sqlite3, libpq) and SQLAlchemy's ORM, on a SQLite file (WAL)
// and on PostgreSQL (STRATA_TEST_POSTGRES_URL; make bench starts a server):
//   insert  200,000 objects and commit;
//   get     100,000 objects by primary key, each in a fresh session;
//   load    all 200,000 objects;
//   update  one attribute of 20,000 objects and commit (each side reads the rows first).
// The raw side and strata alternate for STRATA_BENCH_ROUNDS rounds (3) and medians are
// compared; SQLAlchemy (bench/orm_sqlalchemy.py under /usr/bin/python3) runs once. Only the
// ratios mean anything on a shared machine. Goal: strata within 1.5x of the raw C API.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <strata/orm/orm.hpp>
#include <strata/strata.hpp>
#include <string>
#include <vector>

#include "timing.hpp"

namespace {

constexpr int kRows = 200'000;
constexpr int kGets = 100'000;
constexpr int kUpdates = 20'000;
const std::array<std::string, 4> kWorkloads = {"insert", "get", "load", "update"};

struct Item {
  std::int64_t id = 0;
  std::string title;
  double price = 0;
  std::int64_t quantity = 0;
  bool active = false;
  std::string note;
};

const auto items = strata::table<Item>(
    "orm_items", strata::column(&Item::id, "id").primary_key(),
    strata::column(&Item::title, "title"), strata::column(&Item::price, "price"),
    strata::column(&Item::quantity, "quantity"), strata::column(&Item::active, "active"),
    strata::column(&Item::note, "note"));

std::string title_of(int i) {
  return "item number " + std::to_string(i);
}
std::int64_t lookup_id(int i) {
  return (static_cast<std::int64_t>(i) * 7919) % kRows + 1;
}

// Seconds per workload.
using Times = std::map<std::string, double>;

// strata ------------------------------------------------------------------------------------

struct StrataSide {
  strata::Engine engine;
  strata::SessionFactory sessions{engine};

  void create() {
    auto conn = engine.connect();
    conn.execute_script("DROP TABLE IF EXISTS orm_items");
    strata::MetaData metadata;
    items.add_to(metadata);
    metadata.create_all(engine);
  }
  void insert() {
    auto s = sessions();
    for (int i = 0; i < kRows; ++i) {
      s.add(Item{0, title_of(i), i * 0.5, i % 100, i % 2 == 0, "a note"});
    }
    s.commit();
  }
  std::int64_t get() {
    std::int64_t checksum = 0;
    for (int i = 0; i < kGets; ++i) {
      auto s = sessions();
      const Item* item = s.get<Item>(lookup_id(i));
      checksum += item->id + static_cast<std::int64_t>(item->title.size());
    }
    return checksum;
  }
  std::int64_t load() {
    auto s = sessions();
    std::int64_t checksum = 0;
    for (const Item* item : s.select<Item>().all()) checksum += item->quantity;
    return checksum;
  }
  void update() {
    auto s = sessions();
    for (Item* item : s.select<Item>().where(strata::col(&Item::id) <= kUpdates).all()) {
      item->price += 1;
    }
    s.commit();
  }
};

// sqlite3 C API -----------------------------------------------------------------------------

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(sqlite3_errmsg(db));
  }
}

std::string_view text(sqlite3_stmt* stmt, int c) {
  return {reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))};
}

void read_item(sqlite3_stmt* stmt, Item& item) {
  item.id = sqlite3_column_int64(stmt, 0);
  item.title = text(stmt, 1);
  item.price = sqlite3_column_double(stmt, 2);
  item.quantity = sqlite3_column_int64(stmt, 3);
  item.active = sqlite3_column_int(stmt, 4) != 0;
  item.note = text(stmt, 5);
}

constexpr const char* kColumns = "id, title, price, quantity, active, note";

struct SqliteSide {
  std::string path;
  sqlite3* db = nullptr;

  explicit SqliteSide(std::string p) : path(std::move(p)) {
    check(sqlite3_open(path.c_str(), &db), db);
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                       "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000",
                       nullptr, nullptr, nullptr),
          db);
  }
  ~SqliteSide() { sqlite3_close(db); }
  void exec(const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db); }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), db);
    return stmt;
  }

  void insert() {
    exec("BEGIN");
    auto* stmt = prepare(
        "INSERT INTO orm_items (title, price, quantity, active, note) VALUES (?, ?, ?, ?, ?)");
    const std::string note = "a note";
    for (int i = 0; i < kRows; ++i) {
      std::string title = title_of(i);
      sqlite3_bind_text(stmt, 1, title.data(), static_cast<int>(title.size()), SQLITE_STATIC);
      sqlite3_bind_double(stmt, 2, i * 0.5);
      sqlite3_bind_int64(stmt, 3, i % 100);
      sqlite3_bind_int(stmt, 4, i % 2 == 0);
      sqlite3_bind_text(stmt, 5, note.data(), static_cast<int>(note.size()), SQLITE_STATIC);
      check(sqlite3_step(stmt), db);
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    exec("COMMIT");
  }
  std::int64_t get() {
    auto* stmt = prepare(std::string("SELECT ") + kColumns + " FROM orm_items WHERE id = ?");
    std::int64_t checksum = 0;
    Item item;
    for (int i = 0; i < kGets; ++i) {
      sqlite3_bind_int64(stmt, 1, lookup_id(i));
      if (sqlite3_step(stmt) != SQLITE_ROW) throw std::runtime_error("row missing");
      read_item(stmt, item);
      checksum += item.id + static_cast<std::int64_t>(item.title.size());
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return checksum;
  }
  std::int64_t load() {
    auto* stmt = prepare(std::string("SELECT ") + kColumns + " FROM orm_items");
    std::vector<Item> all;
    while (sqlite3_step(stmt) == SQLITE_ROW) read_item(stmt, all.emplace_back());
    sqlite3_finalize(stmt);
    std::int64_t checksum = 0;
    for (const auto& item : all) checksum += item.quantity;
    return checksum;
  }
  // Reads the rows into structs, then writes the new value of each: what the ORM does.
  void update() {
    exec("BEGIN");
    auto* select = prepare(std::string("SELECT ") + kColumns + " FROM orm_items WHERE id <= ?");
    sqlite3_bind_int64(select, 1, kUpdates);
    std::vector<Item> rows;
    while (sqlite3_step(select) == SQLITE_ROW) read_item(select, rows.emplace_back());
    sqlite3_finalize(select);
    auto* stmt = prepare("UPDATE orm_items SET price = ? WHERE id = ?");
    for (const auto& item : rows) {
      sqlite3_bind_double(stmt, 1, item.price + 1);
      sqlite3_bind_int64(stmt, 2, item.id);
      check(sqlite3_step(stmt), db);
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    exec("COMMIT");
  }
};

// libpq -------------------------------------------------------------------------------------

struct PgSide {
  PGconn* conn;

  explicit PgSide(const std::string& url) : conn(PQconnectdb(url.c_str())) {
    if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
  }
  // After the table was made again: the statements are prepared afresh.
  void prepare() {
    ok(PQexec(conn, "DEALLOCATE ALL"));
    ok(PQprepare(conn, "ins",
                 "INSERT INTO orm_items (title, price, quantity, active, note) "
                 "VALUES ($1, $2, $3, $4, $5)",
                 0, nullptr));
    ok(PQprepare(conn, "sel",
                 "SELECT id, title, price, quantity, active, note FROM orm_items WHERE id = $1", 0,
                 nullptr));
    ok(PQprepare(conn, "upd", "UPDATE orm_items SET price = $1 WHERE id = $2", 0, nullptr));
    ok(PQprepare(conn, "upto",
                 "SELECT id, title, price, quantity, active, note FROM orm_items WHERE id <= $1", 0,
                 nullptr));
  }
  ~PgSide() { PQfinish(conn); }
  void ok(PGresult* r) {
    auto status = PQresultStatus(r);
    PQclear(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw std::runtime_error(PQerrorMessage(conn));
    }
  }
  static void read_item(PGresult* r, int row, Item& item) {
    auto get = [&](int c) {
      return std::string_view(PQgetvalue(r, row, c), PQgetlength(r, row, c));
    };
    auto number = [&](int c, auto& out) {
      auto v = get(c);
      std::from_chars(v.data(), v.data() + v.size(), out);
    };
    number(0, item.id);
    item.title = get(1);
    number(2, item.price);
    number(3, item.quantity);
    item.active = get(4) == "t";
    item.note = get(5);
  }

  void insert() {
    prepare();
    ok(PQexec(conn, "BEGIN"));
    char price[32], quantity[24];
    for (int i = 0; i < kRows; ++i) {
      std::string title = title_of(i);
      *std::to_chars(price, price + 31, i * 0.5).ptr = '\0';
      *std::to_chars(quantity, quantity + 23, i % 100).ptr = '\0';
      const char* values[5] = {title.c_str(), price, quantity, i % 2 == 0 ? "t" : "f", "a note"};
      ok(PQexecPrepared(conn, "ins", 5, values, nullptr, nullptr, 0));
    }
    ok(PQexec(conn, "COMMIT"));
  }
  std::int64_t get() {
    std::int64_t checksum = 0;
    Item item;
    char id[24];
    for (int i = 0; i < kGets; ++i) {
      *std::to_chars(id, id + 23, lookup_id(i)).ptr = '\0';
      const char* values[1] = {id};
      PGresult* r = PQexecPrepared(conn, "sel", 1, values, nullptr, nullptr, 0);
      if (PQntuples(r) != 1) throw std::runtime_error("row missing");
      read_item(r, 0, item);
      PQclear(r);
      checksum += item.id + static_cast<std::int64_t>(item.title.size());
    }
    return checksum;
  }
  std::int64_t load() {
    PGresult* r = PQexec(conn, "SELECT id, title, price, quantity, active, note FROM orm_items");
    std::vector<Item> all(static_cast<std::size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) read_item(r, i, all[static_cast<std::size_t>(i)]);
    PQclear(r);
    std::int64_t checksum = 0;
    for (const auto& item : all) checksum += item.quantity;
    return checksum;
  }
  void update() {
    ok(PQexec(conn, "BEGIN"));
    char id[24], price[32];
    *std::to_chars(id, id + 23, kUpdates).ptr = '\0';
    const char* limit[1] = {id};
    PGresult* r = PQexecPrepared(conn, "upto", 1, limit, nullptr, nullptr, 0);
    std::vector<Item> rows(static_cast<std::size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) read_item(r, i, rows[static_cast<std::size_t>(i)]);
    PQclear(r);
    for (const auto& item : rows) {
      *std::to_chars(price, price + 31, item.price + 1).ptr = '\0';
      *std::to_chars(id, id + 23, item.id).ptr = '\0';
      const char* values[2] = {price, id};
      ok(PQexecPrepared(conn, "upd", 2, values, nullptr, nullptr, 0));
    }
    ok(PQexec(conn, "COMMIT"));
  }
};

// Runs the four workloads on `side`, after `create` made an empty table; adds the seconds.
template <class Side>
void run_workloads(Side& side, const std::function<void()>& create,
                   std::map<std::string, std::vector<double>>& times) {
  create();
  volatile std::int64_t sink = 0;
  times["insert"].push_back(strata::bench::seconds([&] { side.insert(); }));
  times["get"].push_back(strata::bench::seconds([&] { sink = sink + side.get(); }));
  times["load"].push_back(strata::bench::seconds([&] { sink = sink + side.load(); }));
  times["update"].push_back(strata::bench::seconds([&] { side.update(); }));
}

Times medians(std::map<std::string, std::vector<double>> times) {
  Times out;
  for (auto& [name, t] : times) out[name] = strata::bench::median(std::move(t));
  return out;
}

// SQLAlchemy: `workload seconds` lines from the script, or nothing when it cannot run.
Times sqlalchemy(const std::string& url) {
  std::string command = "/usr/bin/python3 " STRATA_BENCH_DIR "/orm_sqlalchemy.py '" + url + "'";
  Times out;
  if (std::getenv("STRATA_BENCH_SKIP_SQLALCHEMY")) return out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char name[64];
  double secs = 0;
  while (std::fscanf(pipe, "%63s %lf", name, &secs) == 2) out[name] = secs;
  pclose(pipe);
  return out;
}

void report(const std::string& backend, const Times& raw, const Times& orm, const Times& sa) {
  std::printf("\n%s (rows: %d, gets: %d, updates: %d)\n", backend.c_str(), kRows, kGets, kUpdates);
  std::printf("  %-8s %12s %12s %12s %12s %14s\n", "workload", "raw C API", "strata", "SQLAlchemy",
              "strata/raw", "SQLAlchemy/strata");
  for (const auto& w : kWorkloads) {
    double r = raw.at(w), o = orm.at(w);
    auto it = sa.find(w);
    if (it == sa.end()) {
      std::printf("  %-8s %11.3fs %11.3fs %12s %11.2fx %14s\n", w.c_str(), r, o, "-", o / r, "-");
    } else {
      std::printf("  %-8s %11.3fs %11.3fs %11.3fs %11.2fx %13.1fx\n", w.c_str(), r, o, it->second,
                  o / r, it->second / o);
    }
  }
}

int rounds() {
  const char* env = std::getenv("STRATA_BENCH_ROUNDS");
  return env ? std::max(1, std::atoi(env)) : 3;
}

void bench_sqlite() {
  auto dir = std::filesystem::temp_directory_path() / "strata-orm-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string path = (dir / "bench.db").string();
  StrataSide orm{
      strata::create_engine("sqlite:///" + path + "?journal_mode=wal&synchronous=normal")};
  std::map<std::string, std::vector<double>> raw_times, orm_times;
  for (int r = 0; r < rounds(); ++r) {
    SqliteSide raw(path);
    run_workloads(
        raw, [&] { orm.create(); }, raw_times);
    run_workloads(
        orm, [&] { orm.create(); }, orm_times);
  }
  orm.engine.dispose();
  report("SQLite file (WAL)", medians(raw_times), medians(orm_times),
         sqlalchemy("sqlite:///" + (dir / "sqlalchemy.db").string()));
  std::filesystem::remove_all(dir);
}

void bench_postgres(const std::string& url) {
  StrataSide orm{strata::create_engine(url)};
  std::map<std::string, std::vector<double>> raw_times, orm_times;
  for (int r = 0; r < rounds(); ++r) {
    PgSide raw(url);
    run_workloads(
        raw, [&] { orm.create(); }, raw_times);
    run_workloads(
        orm, [&] { orm.create(); }, orm_times);
  }
  report("PostgreSQL", medians(raw_times), medians(orm_times), sqlalchemy(url));
}

}  // namespace

int main() {
  try {
    bench_sqlite();
    const char* pg = std::getenv("STRATA_TEST_POSTGRES_URL");
    if (pg && *pg) {
      bench_postgres(pg);
    } else {
      std::printf("\nPostgreSQL: skipped (set STRATA_TEST_POSTGRES_URL, or run make bench)\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "orm_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
