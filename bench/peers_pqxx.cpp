// libpqxx's side of bench/peers_bench.cpp (PostgreSQL only): statements prepared on the
// connection once and run with exec_prepared, writes in a pqxx::work, reads in a
// pqxx::nontransaction (autocommit, one round trip a statement as on the other sides).
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers.hpp"

namespace strata::bench::peers {
namespace {

const std::string kTableName = kTable;

void read_row(const pqxx::row& row, Item& item) {
  item.id = row[0].as<std::int64_t>();
  item.name = row[1].as<std::string>();
  item.price = row[2].as<double>();
  item.qty = row[3].as<std::int64_t>();
}

class PqxxSide final : public Side {
 public:
  explicit PqxxSide(Target t) : t_(std::move(t)) {}

  void open() override {
    fresh_table(t_);
    conn_.emplace(t_.target);
    conn_->prepare("ins",
                   "INSERT INTO " + kTableName + " (id, name, price, qty) VALUES ($1, $2, $3, $4)");
    conn_->prepare("get", "SELECT id, name, price, qty FROM " + kTableName + " WHERE id = $1");
    conn_->prepare("upd", "UPDATE " + kTableName + " SET price = $1 WHERE id = $2");
  }
  void insert() override {
    pqxx::work tx(*conn_);
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      tx.exec_prepared("ins", id, name_of(id), price_of(id), qty_of(id));
    }
    tx.commit();
  }
  std::int64_t get() override {
    pqxx::nontransaction tx(*conn_);
    std::int64_t sum = 0;
    Item item;
    for (int i = 0; i < t_.counts.gets; ++i) {
      read_row(tx.exec_prepared1("get", lookup_id(i, t_.counts)), item);
      sum += checksum(item);
    }
    return sum;
  }
  std::int64_t load() override {
    pqxx::nontransaction tx(*conn_);
    const pqxx::result result = tx.exec("SELECT id, name, price, qty FROM " + kTableName);
    std::vector<Item> all(result.size());
    for (std::size_t i = 0; i < result.size(); ++i) {
      read_row(result[static_cast<pqxx::result::size_type>(i)], all[i]);
    }
    return checksum(all);
  }
  void update() override {
    pqxx::work tx(*conn_);
    for (std::int64_t id = 1; id <= t_.counts.updates; ++id) {
      tx.exec_prepared("upd", updated_price(id), id);
    }
    tx.commit();
  }
  void close() override { conn_.reset(); }

 private:
  Target t_;
  std::optional<pqxx::connection> conn_;
};

}  // namespace

std::unique_ptr<Side> pqxx_side(const Target& t) {
  if (t.db != Db::postgres) throw std::logic_error("libpqxx runs on PostgreSQL only");
  return std::make_unique<PqxxSide>(t);
}

}  // namespace strata::bench::peers
