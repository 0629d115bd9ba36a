// The raw C APIs' sides of bench/peers_bench.cpp (sqlite3, libpq), each with its prepared
// statements made once and reused, and the table set-up every side starts from.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers.hpp"

namespace strata::bench::peers {
namespace {

// sqlite3 -----------------------------------------------------------------------------------

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw std::runtime_error(std::string("sqlite3: ") + sqlite3_errmsg(db));
  }
}

sqlite3* open_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db);
  check(sqlite3_exec(db, kSqlitePragmas, nullptr, nullptr, nullptr), db);
  return db;
}

sqlite3_stmt* prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  check(sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), db);
  return stmt;
}

void read_row(sqlite3_stmt* stmt, Item& item) {
  item.id = sqlite3_column_int64(stmt, 0);
  item.name.assign(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)),
                   static_cast<std::size_t>(sqlite3_column_bytes(stmt, 1)));
  item.price = sqlite3_column_double(stmt, 2);
  item.qty = sqlite3_column_int64(stmt, 3);
}

const std::string kColumns = "id, name, price, qty";
const std::string kSqliteInsert =
    std::string("INSERT INTO ") + kTable + " (id, name, price, qty) VALUES (?, ?, ?, ?)";
const std::string kSqliteGet = "SELECT " + kColumns + " FROM " + kTable + " WHERE id = ?";
const std::string kLoad = "SELECT " + kColumns + " FROM " + kTable;
const std::string kSqliteUpdate = std::string("UPDATE ") + kTable + " SET price = ? WHERE id = ?";

class RawSqlite final : public Side {
 public:
  explicit RawSqlite(Target t) : t_(std::move(t)) {}
  ~RawSqlite() override { close(); }

  void open() override {
    fresh_table(t_);
    db_ = open_sqlite(t_.target);
    insert_ = prepare(db_, kSqliteInsert);
    get_ = prepare(db_, kSqliteGet);
    load_ = prepare(db_, kLoad);
    update_ = prepare(db_, kSqliteUpdate);
  }
  void insert() override {
    exec("BEGIN");
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      const std::string name = name_of(id);
      sqlite3_bind_int64(insert_, 1, id);
      sqlite3_bind_text(insert_, 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
      sqlite3_bind_double(insert_, 3, price_of(id));
      sqlite3_bind_int64(insert_, 4, qty_of(id));
      step_done(insert_);
    }
    exec("COMMIT");
  }
  std::int64_t get() override {
    std::int64_t sum = 0;
    Item item;
    for (int i = 0; i < t_.counts.gets; ++i) {
      sqlite3_bind_int64(get_, 1, lookup_id(i, t_.counts));
      if (sqlite3_step(get_) != SQLITE_ROW) throw std::runtime_error("sqlite3: row missing");
      read_row(get_, item);
      sum += checksum(item);
      sqlite3_reset(get_);
    }
    return sum;
  }
  std::int64_t load() override {
    std::vector<Item> all;
    while (sqlite3_step(load_) == SQLITE_ROW) read_row(load_, all.emplace_back());
    check(sqlite3_reset(load_), db_);
    return checksum(all);
  }
  void update() override {
    exec("BEGIN");
    for (std::int64_t id = 1; id <= t_.counts.updates; ++id) {
      sqlite3_bind_double(update_, 1, updated_price(id));
      sqlite3_bind_int64(update_, 2, id);
      step_done(update_);
    }
    exec("COMMIT");
  }
  void close() override {
    for (auto* stmt : {insert_, get_, load_, update_}) sqlite3_finalize(stmt);
    insert_ = get_ = load_ = update_ = nullptr;
    sqlite3_close(db_);
    db_ = nullptr;
  }

 private:
  void exec(const char* sql) { check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), db_); }
  void step_done(sqlite3_stmt* stmt) {
    check(sqlite3_step(stmt), db_);
    sqlite3_reset(stmt);
  }

  Target t_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* load_ = nullptr;
  sqlite3_stmt* update_ = nullptr;
};

// libpq -------------------------------------------------------------------------------------

PGconn* connect_pg(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("libpq: " + message);
  }
  return conn;
}

// Takes the result; throws with the server's message unless it succeeded.
void ok(PGconn* conn, PGresult* r) {
  auto status = PQresultStatus(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string("libpq: ") + PQerrorMessage(conn));
  }
}

template <class N>
N number(PGresult* r, int row, int c) {
  const char* v = PQgetvalue(r, row, c);
  N out{};
  std::from_chars(v, v + PQgetlength(r, row, c), out);
  return out;
}

void read_row(PGresult* r, int row, Item& item) {
  item.id = number<std::int64_t>(r, row, 0);
  item.name.assign(PQgetvalue(r, row, 1), static_cast<std::size_t>(PQgetlength(r, row, 1)));
  item.price = number<double>(r, row, 2);
  item.qty = number<std::int64_t>(r, row, 3);
}

// A number as text in `buf`, NUL-terminated: libpq's text parameters.
template <class N>
const char* text(char (&buf)[32], N value) {
  *std::to_chars(buf, buf + 31, value).ptr = '\0';
  return buf;
}

class RawPostgres final : public Side {
 public:
  explicit RawPostgres(Target t) : t_(std::move(t)) {}
  ~RawPostgres() override { close(); }

  void open() override {
    fresh_table(t_);
    conn_ = connect_pg(t_.target);
    const std::string table = kTable;
    prep("ins", "INSERT INTO " + table + " (id, name, price, qty) VALUES ($1, $2, $3, $4)");
    prep("get", "SELECT " + kColumns + " FROM " + table + " WHERE id = $1");
    prep("upd", "UPDATE " + table + " SET price = $1 WHERE id = $2");
  }
  void insert() override {
    ok(conn_, PQexec(conn_, "BEGIN"));
    char id_text[32], price[32], qty[32];
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      const std::string name = name_of(id);
      const char* values[4] = {text(id_text, id), name.c_str(), text(price, price_of(id)),
                               text(qty, qty_of(id))};
      ok(conn_, PQexecPrepared(conn_, "ins", 4, values, nullptr, nullptr, 0));
    }
    ok(conn_, PQexec(conn_, "COMMIT"));
  }
  std::int64_t get() override {
    std::int64_t sum = 0;
    Item item;
    char id_text[32];
    for (int i = 0; i < t_.counts.gets; ++i) {
      const char* values[1] = {text(id_text, lookup_id(i, t_.counts))};
      PGresult* r = PQexecPrepared(conn_, "get", 1, values, nullptr, nullptr, 0);
      if (PQntuples(r) != 1) {
        PQclear(r);
        throw std::runtime_error("libpq: row missing");
      }
      read_row(r, 0, item);
      PQclear(r);
      sum += checksum(item);
    }
    return sum;
  }
  std::int64_t load() override {
    PGresult* r = PQexec(conn_, kLoad.c_str());
    std::vector<Item> all(static_cast<std::size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) read_row(r, i, all[static_cast<std::size_t>(i)]);
    ok(conn_, r);
    return checksum(all);
  }
  void update() override {
    ok(conn_, PQexec(conn_, "BEGIN"));
    char id_text[32], price[32];
    for (std::int64_t id = 1; id <= t_.counts.updates; ++id) {
      const char* values[2] = {text(price, updated_price(id)), text(id_text, id)};
      ok(conn_, PQexecPrepared(conn_, "upd", 2, values, nullptr, nullptr, 0));
    }
    ok(conn_, PQexec(conn_, "COMMIT"));
  }
  void close() override {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }

 private:
  void prep(const char* name, const std::string& sql) {
    ok(conn_, PQprepare(conn_, name, sql.c_str(), 0, nullptr));
  }

  Target t_;
  PGconn* conn_ = nullptr;
};

std::string create_sql(Db db) {
  const std::string table = kTable;
  if (db == Db::sqlite) {
    return "CREATE TABLE " + table +
           " (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL, "
           "qty INTEGER NOT NULL)";
  }
  return "SET client_min_messages = warning; DROP TABLE IF EXISTS " + table + "; CREATE TABLE " +
         table +
         " (id BIGINT PRIMARY KEY, name TEXT NOT NULL, price DOUBLE PRECISION NOT NULL, "
         "qty BIGINT NOT NULL)";
}

}  // namespace

void fresh_table(const Target& t) {
  if (t.db == Db::postgres) {
    PGconn* conn = connect_pg(t.target);
    ok(conn, PQexec(conn, create_sql(t.db).c_str()));
    PQfinish(conn);
    return;
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(t.target + suffix);
  }
  sqlite3* db = open_sqlite(t.target);
  const std::string sql = "PRAGMA journal_mode=WAL; " + create_sql(t.db);
  check(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), db);
  sqlite3_close(db);
}

double price_total(const Target& t) {
  const std::string sql = std::string("SELECT SUM(price) FROM ") + kTable;
  if (t.db == Db::postgres) {
    PGconn* conn = connect_pg(t.target);
    PGresult* r = PQexec(conn, sql.c_str());
    double total = PQntuples(r) == 1 ? number<double>(r, 0, 0) : -1;
    ok(conn, r);
    PQfinish(conn);
    return total;
  }
  sqlite3* db = open_sqlite(t.target);
  sqlite3_stmt* stmt = prepare(db, sql);
  double total = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_double(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return total;
}

std::unique_ptr<Side> raw_side(const Target& t) {
  if (t.db == Db::sqlite) return std::make_unique<RawSqlite>(t);
  return std::make_unique<RawPostgres>(t);
}

}  // namespace strata::bench::peers
