// SOCI's side of bench/peers_bench.cpp, on its sqlite3 or postgresql backend: statements
// prepared once per workload and executed with bound variables, as SOCI's manual shows.
#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers.hpp"

namespace strata::bench::peers {
namespace {

const std::string kTableName = kTable;

// A libpq connection-string value: quoted only when it must be, backslash escapes inside.
std::string quoted(std::string_view value) {
  if (!value.empty() && value.find_first_of(" '\\") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// SOCI's postgresql backend reads `key=value` pairs only: a libpq URL is spelled as those.
std::string keyword_form(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (!options) {
    std::string message = error ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error("soci: bad PostgreSQL URL: " + message);
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (o->val) out += std::string(out.empty() ? "" : " ") + o->keyword + "=" + quoted(o->val);
  }
  PQconninfoFree(options);
  return out;
}

class SociSide final : public Side {
 public:
  explicit SociSide(Target t) : t_(std::move(t)) {}
  ~SociSide() override { close(); }

  void open() override {
    fresh_table(t_);
    if (t_.db == Db::sqlite) {
      sql_.emplace(soci::sqlite3, "db=" + t_.target);
      *sql_ << "PRAGMA synchronous=NORMAL";
      *sql_ << "PRAGMA foreign_keys=ON";
    } else {
      sql_.emplace(soci::postgresql, keyword_form(t_.target));
    }
  }
  void insert() override {
    soci::transaction tx(*sql_);
    Item item;
    soci::statement st =
        (sql_->prepare << "INSERT INTO " + kTableName +
                              " (id, name, price, qty) VALUES (:id, :name, :price, :qty)",
         soci::use(item.id), soci::use(item.name), soci::use(item.price), soci::use(item.qty));
    for (std::int64_t id = 1; id <= t_.counts.rows; ++id) {
      item = Item{id, name_of(id), price_of(id), qty_of(id)};
      st.execute(true);
    }
    tx.commit();
  }
  std::int64_t get() override {
    Item item;
    std::int64_t key = 0;
    soci::statement st =
        (sql_->prepare << "SELECT id, name, price, qty FROM " + kTableName + " WHERE id = :id",
         soci::into(item.id), soci::into(item.name), soci::into(item.price), soci::into(item.qty),
         soci::use(key));
    std::int64_t sum = 0;
    for (int i = 0; i < t_.counts.gets; ++i) {
      key = lookup_id(i, t_.counts);
      if (!st.execute(true)) throw std::runtime_error("soci: row missing");
      sum += checksum(item);
    }
    return sum;
  }
  std::int64_t load() override {
    Item item;
    soci::statement st =
        (sql_->prepare << "SELECT id, name, price, qty FROM " + kTableName, soci::into(item.id),
         soci::into(item.name), soci::into(item.price), soci::into(item.qty));
    st.execute();
    std::vector<Item> all;
    while (st.fetch()) all.push_back(item);
    return checksum(all);
  }
  void update() override {
    soci::transaction tx(*sql_);
    std::int64_t id = 0;
    double price = 0;
    soci::statement st =
        (sql_->prepare << "UPDATE " + kTableName + " SET price = :price WHERE id = :id",
         soci::use(price), soci::use(id));
    for (id = 1; id <= t_.counts.updates; ++id) {
      price = updated_price(id);
      st.execute(true);
    }
    tx.commit();
  }
  void close() override { sql_.reset(); }

 private:
  Target t_;
  std::optional<soci::session> sql_;
};

}  // namespace

std::unique_ptr<Side> soci_side(const Target& t) {
  return std::make_unique<SociSide>(t);
}

}  // namespace strata::bench::peers
