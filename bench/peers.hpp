// What the peer benchmark's implementations share (bench/peers_bench.cpp): the rows every
// library writes, the counts, and the interface each library's side implements.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace strata::bench::peers {

enum class Db { sqlite, postgres };

// How many rows each workload touches; PostgreSQL's per-statement loops run fewer.
struct Counts {
  int rows = 0;     // inserted in one transaction, then loaded
  int gets = 0;     // primary-key lookups, each a statement of its own
  int updates = 0;  // rows updated by key in one transaction: ids 1..updates
};

// Where one run goes: a SQLite file (`target` is its path) or a PostgreSQL libpq URL.
struct Target {
  Db db = Db::sqlite;
  std::string target;
  Counts counts;
};

constexpr const char* kTable = "peers_items";
// What every SQLite side sets on open, so that all run with strata's defaults (WAL is set once,
// on the file).
constexpr const char* kSqlitePragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON";

// Row `id` (1-based) as every side inserts it, and the price the update writes.
inline std::string name_of(std::int64_t id) {
  return "item number " + std::to_string(id);
}
inline double price_of(std::int64_t id) {
  return static_cast<double>(id) * 0.5;
}
inline std::int64_t qty_of(std::int64_t id) {
  return id % 100;
}
inline double updated_price(std::int64_t id) {
  return static_cast<double>(id) * 0.25;
}
// The i-th lookup, always one of 1..rows: 7919 is prime, so the ids are distinct while
// gets <= rows (and rows is no multiple of 7919); beyond that they repeat, and each side sums
// a row once for each time it is asked for.
inline std::int64_t lookup_id(int i, const Counts& c) {
  return (static_cast<std::int64_t>(i) * 7919) % c.rows + 1;
}
// A row as every side reads it: each side materialises what it reads into these, as an
// application would, so that every side copies the same text.
struct Item {
  std::int64_t id = 0;
  std::string name;
  double price = 0;
  std::int64_t qty = 0;
};

// What a side adds up for the rows it read, so that every column is read and checked.
inline std::int64_t checksum(const Item& item) {
  return item.id + static_cast<std::int64_t>(item.name.size()) +
         static_cast<std::int64_t>(item.price * 4) + item.qty;
}
inline std::int64_t checksum(const std::vector<Item>& items) {
  std::int64_t sum = 0;
  for (const auto& item : items) sum += checksum(item);
  return sum;
}

// One library's side of the four workloads. open() makes a fresh table and connects (not
// timed); the workloads then run in order on that table. Owns its connections; one thread.
class Side {
 public:
  virtual ~Side() = default;
  virtual void open() = 0;
  virtual void insert() = 0;
  virtual std::int64_t get() = 0;   // the checksum of the rows read
  virtual std::int64_t load() = 0;  // the same, of every row, all held at once
  virtual void update() = 0;
  virtual void close() = 0;
};

struct Named {
  std::string name;
  std::unique_ptr<Side> side;
};

// An empty peers_items table at `t` (for SQLite a new file in WAL mode).
void fresh_table(const Target& t);
// SUM(price) of the table, to check that the update wrote what it should.
double price_total(const Target& t);

std::unique_ptr<Side> raw_side(const Target& t);
std::unique_ptr<Side> strata_connection_side(const Target& t);
std::unique_ptr<Side> strata_batched_side(const Target& t);
std::unique_ptr<Side> strata_session_side(const Target& t);
std::unique_ptr<Side> soci_side(const Target& t);
std::unique_ptr<Side> sqlitecpp_side(const Target& t);
std::unique_ptr<Side> pqxx_side(const Target& t);

}  // namespace strata::bench::peers
