// SQLiteCpp's side of bench/peers_bench.cpp (SQLite only): one SQLite::Statement per workload,
// bound, executed and reset for each row, in a SQLite::Transaction where the workload writes.
#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers.hpp"

namespace strata::bench::peers {
namespace {

const std::string kTableName = kTable;

void read_row(SQLite::Statement& st, Item& item) {
  item.id = st.getColumn(0).getInt64();
  item.name = st.getColumn(1).getString();
  item.price = st.getColumn(2).getDouble();
  item.qty = st.getColumn(3).getInt64();
}

class SqliteCppSide final : public Side {
 public:
  explicit SqliteCppSide(Target t) : t_(std::move(t)) {}

  void open() override {
    fresh_table(t_);
    db_.emplace(t_.target, SQLite::OPEN_READWRITE);
    db_->exec(kSqlitePragmas);
  }
  void insert() override {
    SQLite::Transaction tx(*db_);
    SQLite::Statement st(
        *db_, "INSERT INTO " + kTableName + " (id, name, price, qty) VALUES (?, ?, ?, ?)");
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      st.bind(1, id);
      st.bind(2, name_of(id));
      st.bind(3, price_of(id));
      st.bind(4, qty_of(id));
      st.exec();
      st.reset();
    }
    tx.commit();
  }
  std::int64_t get() override {
    SQLite::Statement st(*db_, "SELECT id, name, price, qty FROM " + kTableName + " WHERE id = ?");
    std::int64_t sum = 0;
    Item item;
    for (int i = 0; i < t_.counts.gets; ++i) {
      st.bind(1, lookup_id(i, t_.counts));
      if (!st.executeStep()) throw std::runtime_error("SQLiteCpp: row missing");
      read_row(st, item);
      sum += checksum(item);
      st.reset();
    }
    return sum;
  }
  std::int64_t load() override {
    SQLite::Statement st(*db_, "SELECT id, name, price, qty FROM " + kTableName);
    std::vector<Item> all;
    while (st.executeStep()) read_row(st, all.emplace_back());
    return checksum(all);
  }
  void update() override {
    SQLite::Transaction tx(*db_);
    SQLite::Statement st(*db_, "UPDATE " + kTableName + " SET price = ? WHERE id = ?");
    for (std::int64_t id = 1; id <= t_.counts.updates; ++id) {
      st.bind(1, updated_price(id));
      st.bind(2, id);
      st.exec();
      st.reset();
    }
    tx.commit();
  }
  void close() override { db_.reset(); }

 private:
  Target t_;
  std::optional<SQLite::Database> db_;
};

}  // namespace

std::unique_ptr<Side> sqlitecpp_side(const Target& t) {
  if (t.db != Db::sqlite) throw std::logic_error("SQLiteCpp runs on SQLite only");
  return std::make_unique<SqliteCppSide>(t);
}

}  // namespace strata::bench::peers
