// strata's three sides of bench/peers_bench.cpp: Connection::execute with parameters (its
// statement cache keeps each statement prepared), Connection with its batch features (COPY,
// execute_many, one query for many keys, a PreparedStatement), and the ORM's Session.
#include <optional>
#include <stdexcept>
#include <strata/orm/orm.hpp>
#include <strata/strata.hpp>
#include <string>
#include <unordered_map>

#include "peers.hpp"

namespace strata::bench::peers {
namespace {

// The ids are the benchmark's own (1..rows), as on every other side.
const auto items =
    strata::table<Item>(kTable, strata::column(&Item::id, "id").primary_key().autoincrement(false),
                        strata::column(&Item::name, "name"), strata::column(&Item::price, "price"),
                        strata::column(&Item::qty, "qty"));

std::string strata_url(const Target& t) {
  if (t.db == Db::postgres) return t.target;
  return "sqlite:///" + t.target + "?journal_mode=wal&synchronous=normal";
}

void read_row(const strata::Row& row, Item& item) {
  item.id = row.get<std::int64_t>(0);
  item.name = row.get<std::string_view>(1);
  item.price = row.get<double>(2);
  item.qty = row.get<std::int64_t>(3);
}

const std::string kInsert =
    std::string("INSERT INTO ") + kTable + " (id, name, price, qty) VALUES (?, ?, ?, ?)";
const std::string kGet =
    std::string("SELECT id, name, price, qty FROM ") + kTable + " WHERE id = ?";
const std::string kLoad = std::string("SELECT id, name, price, qty FROM ") + kTable;
const std::string kUpdate = std::string("UPDATE ") + kTable + " SET price = ? WHERE id = ?";

// One Connection for the four workloads, statements with `?` parameters.
class ConnectionSide : public Side {
 public:
  explicit ConnectionSide(Target t) : t_(std::move(t)) {}
  ~ConnectionSide() override { close(); }

  void open() override {
    fresh_table(t_);
    engine_ = strata::create_engine(strata_url(t_));
    conn_.emplace(engine_->connect());
  }
  void insert() override {
    auto tx = conn_->begin();
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      conn_->execute(kInsert, id, name_of(id), price_of(id), qty_of(id));
    }
    tx.commit();
  }
  std::int64_t get() override {
    std::int64_t sum = 0;
    Item item;
    for (int i = 0; i < t_.counts.gets; ++i) {
      auto result = conn_->execute(kGet, lookup_id(i, t_.counts));
      read_row(result.row(), item);
      sum += checksum(item);
    }
    return sum;
  }
  std::int64_t load() override {
    std::vector<Item> all;
    auto result = conn_->execute(kLoad);
    for (const auto& row : result) read_row(row, all.emplace_back());
    return checksum(all);
  }
  void update() override {
    auto tx = conn_->begin();
    for (std::int64_t id = 1; id <= t_.counts.updates; ++id) {
      conn_->execute(kUpdate, updated_price(id), id);
    }
    tx.commit();
  }
  void close() override {
    conn_.reset();
    if (engine_) engine_->dispose();
    engine_.reset();
  }

 protected:
  Target t_;
  std::optional<strata::Engine> engine_;
  std::optional<strata::Connection> conn_;
};

// The Connection as one writes it knowing the round trips: the insert is one copy_in (a COPY
// on PostgreSQL; on SQLite a prepared INSERT a row, some 12% fewer instructions a row there
// than execute_many, which copies every value first), the gets one query for all the keys on
// PostgreSQL (a PreparedStatement per key on SQLite, which has no round trip to save), the load as
// the Connection side's, and the update one execute_many (one pipeline on PostgreSQL).
class BatchedSide final : public ConnectionSide {
 public:
  using ConnectionSide::ConnectionSide;

  // The rows made one at a time as they are sent: nothing is materialised.
  void insert() override {
    const std::vector<std::string_view> columns = {"id", "name", "price", "qty"};
    std::int64_t id = 0;
    std::string name;
    conn_->copy_in(kTable, columns, [&](std::vector<strata::ValueRef>& row) {
      if (id == t_.counts.rows) return false;
      ++id;
      name = name_of(id);
      row = {id, name, price_of(id), qty_of(id)};
      return true;
    });
  }
  std::int64_t get() override {
    if (t_.db == Db::sqlite) return get_prepared();
    // The keys as one array parameter; each row read once, and summed once per key asking
    // for it, as every side sums.
    std::string array = "{";
    for (int i = 0; i < t_.counts.gets; ++i) {
      array += (i ? "," : "") + std::to_string(lookup_id(i, t_.counts));
    }
    array += "}";
    auto result = conn_->execute(kGetMany, array);
    std::unordered_map<std::int64_t, Item> found;
    found.reserve(static_cast<std::size_t>(result.row_count().value_or(0)));
    for (const auto& row : result) {
      Item item;
      read_row(row, item);
      found.emplace(item.id, std::move(item));
    }
    std::int64_t sum = 0;
    for (int i = 0; i < t_.counts.gets; ++i) sum += checksum(found.at(lookup_id(i, t_.counts)));
    return sum;
  }
  void update() override {
    std::vector<std::vector<strata::Value>> rows;
    rows.reserve(static_cast<std::size_t>(t_.counts.updates));
    for (std::int64_t id = 1; id <= t_.counts.updates; ++id)
      rows.push_back({updated_price(id), id});
    conn_->execute_many(kUpdate, rows);
  }

 private:
  static inline const std::string kGetMany = std::string("SELECT id, name, price, qty FROM ") +
                                             kTable + " WHERE id = ANY(CAST(? AS BIGINT[]))";

  std::int64_t get_prepared() {
    auto get = conn_->prepare(kGet);
    std::int64_t sum = 0;
    Item item;
    for (int i = 0; i < t_.counts.gets; ++i) {
      auto result = get.execute(lookup_id(i, t_.counts));
      read_row(result.row(), item);
      sum += checksum(item);
    }
    return sum;
  }
};

// The ORM as an application uses it: one session adds the rows and commits; the gets are one
// get_many; one session loads everything; the update reads the rows it changes (the ORM
// writes only objects it holds) and commits, its UPDATEs sent as one batch.
class SessionSide final : public Side {
 public:
  explicit SessionSide(Target t) : t_(std::move(t)) {}
  ~SessionSide() override { close(); }

  void open() override {
    fresh_table(t_);
    engine_ = strata::create_engine(strata_url(t_));
    sessions_.emplace(*engine_);
  }
  void insert() override {
    auto s = (*sessions_)();
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      s.add(Item{id, name_of(id), price_of(id), qty_of(id)});
    }
    s.commit();
  }
  // The same keys as every side's gets, loaded as an application loads a list of them: one
  // get_many (one query per 10,000 keys) rather than a query per key.
  std::int64_t get() override {
    std::vector<std::int64_t> keys;
    keys.reserve(static_cast<std::size_t>(t_.counts.gets));
    for (int i = 0; i < t_.counts.gets; ++i) keys.push_back(lookup_id(i, t_.counts));
    auto s = (*sessions_)();
    std::int64_t sum = 0;
    for (const Item* item : s.get_many<Item>(keys)) {
      if (!item) throw std::runtime_error("strata session: row missing");
      sum += checksum(*item);
    }
    return sum;
  }
  std::int64_t load() override {
    auto s = (*sessions_)();
    std::int64_t sum = 0;
    for (const Item* item : s.select<Item>().all()) sum += checksum(*item);
    return sum;
  }
  void update() override {
    auto s = (*sessions_)();
    for (Item* item : s.select<Item>().where(strata::col(&Item::id) <= t_.counts.updates).all()) {
      item->price = updated_price(item->id);
    }
    s.commit();
  }
  void close() override {
    sessions_.reset();
    if (engine_) engine_->dispose();
    engine_.reset();
  }

 private:
  Target t_;
  std::optional<strata::Engine> engine_;
  std::optional<strata::SessionFactory> sessions_;
};

}  // namespace

std::unique_ptr<Side> strata_connection_side(const Target& t) {
  return std::make_unique<ConnectionSide>(t);
}
std::unique_ptr<Side> strata_batched_side(const Target& t) {
  return std::make_unique<BatchedSide>(t);
}
std::unique_ptr<Side> strata_session_side(const Target& t) {
  return std::make_unique<SessionSide>(t);
}

}  // namespace strata::bench::peers
