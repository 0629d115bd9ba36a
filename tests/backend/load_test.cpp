// The service under load, on loopback: sessions give their connections back whatever the
// outcome of the request, and concurrent writers lose nothing they acknowledged.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "backend/backend_fixture.hpp"

namespace strata::test {
namespace {

using nlohmann::json;

class BackendLoad : public BackendTest {};

// Every connection of the service's pool is idle: none holds a transaction or a lock.
void expect_pool_idle(Engine& admin, bool sqlite) {
  auto conn = admin.connect();
  if (sqlite) {
    // A connection left in a write transaction would make this writer fail at once
    // (busy_timeout=0); one left in a read transaction would keep the checkpoint from
    // truncating the WAL (busy = 1).
    auto tx = conn.begin_immediate();
    conn.execute("INSERT INTO users (email) VALUES (?)", "probe@example.com");
    tx.commit();
    auto checkpoint = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    for (const auto& row : checkpoint) EXPECT_EQ(row.get<std::int64_t>(0), 0) << "busy";
  } else {
    auto busy = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND "
                        "state <> 'idle'",
                        kApplicationName)
                    .scalar<std::int64_t>();
    EXPECT_EQ(busy, 0) << "connections not idle";
    auto open = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?",
                             kApplicationName)
                    .scalar<std::int64_t>();
    EXPECT_GT(open, 0);
  }
}

// 10,000 requests from 8 clients, errors of every kind mixed in: a rolled-back session gives
// its connection back as a committed one does.
TEST_P(BackendLoad, TenThousandRequestsLeaveEveryConnectionIdle) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  std::int64_t owner = 0;
  {
    auto client = server->client();
    owner = create_user(*client, "owner@example.com");
  }
  constexpr int kClients = 8;
  constexpr int kPerClient = 10'000 / kClients;
  std::atomic<int> failures{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = server->client();
      std::int64_t last = 1;
      for (int i = 0; i < kPerClient; ++i) {
        Answer a;
        switch (i % 8) {
          case 0:
            a = call(*client, "POST", "/items", json{{"title", "t"}, {"owner_id", owner}});
            if (a.status == 201) last = a.json["id"].get<std::int64_t>();
            break;
          case 1:  // foreign key violation: rolled back, 422
            a = call(*client, "POST", "/items", json{{"title", "t"}, {"owner_id", -1}});
            break;
          case 2:  // unique violation: rolled back, 409
            a = call(*client, "POST", "/users", json{{"email", "owner@example.com"}});
            break;
          case 3:
            a = call(*client, "GET", fmt::format("/items/{}", last));
            break;
          case 4:  // thrown inside the session: 404
            a = call(*client, "GET", "/items/999999999");
            break;
          case 5:  // no session at all: 400
            a = send_raw(*client, "POST", "/users", "{");
            break;
          case 6:
            a = call(*client, "PATCH", fmt::format("/items/{}", last),
                     json{{"title", fmt::format("c{} i{}", c, i)}});
            break;
          default:
            a = call(*client, "GET", "/items?limit=5&offset=1");
        }
        if (a.status == 0 || a.status >= 500) ++failures;
        if (a.status >= 400) ++errors;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GE(errors, 10'000 / 8 * 4);
  auto admin = make_engine(is_sqlite() ? "busy_timeout=0" : "");
  expect_pool_idle(admin, is_sqlite());
  EXPECT_EQ(server->stop(), 0);
  // The server's own view as it stops: nothing checked out.
  EXPECT_NE(server->log().find(" 0 checked out"), std::string::npos) << server->log();
}

// 10 seconds (STRATA_LOAD_SECONDS to change it) of 32 clients creating items; then every id
// answered with 201 is in the database, and nothing else is.
TEST_P(BackendLoad, ConcurrentCreatesKeepEveryAcknowledgedRow) {
  const char* seconds_env = std::getenv("STRATA_LOAD_SECONDS");
  auto duration = std::chrono::seconds(seconds_env ? std::atoi(seconds_env) : 10);
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  std::int64_t owner = 0;
  {
    auto client = server->client();
    owner = create_user(*client, "owner@example.com");
  }
  std::mutex mutex;
  std::set<std::int64_t> acknowledged;
  std::atomic<int> failures{0};
  auto until = std::chrono::steady_clock::now() + duration;
  std::vector<std::thread> clients;
  for (int c = 0; c < 32; ++c) {
    clients.emplace_back([&, c] {
      auto client = server->client();
      std::vector<std::int64_t> mine;
      for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
        auto a = call(*client, "POST", "/items",
                      json{{"title", fmt::format("c{} i{}", c, i)}, {"owner_id", owner}});
        if (a.status == 201) {
          mine.push_back(a.json["id"].get<std::int64_t>());
        } else {
          ++failures;
        }
      }
      std::lock_guard lock(mutex);
      acknowledged.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_FALSE(acknowledged.empty());
  EXPECT_EQ(server->stop(), 0);

  std::set<std::int64_t> stored;
  auto conn = make_engine().connect();
  for (const auto& row : conn.execute("SELECT id FROM items")) {
    stored.insert(row.get<std::int64_t>(0));
  }
  EXPECT_EQ(stored, acknowledged);
  std::printf("[ load ] %zu items created by 32 clients in %llds on %s\n", acknowledged.size(),
              static_cast<long long>(duration.count()), is_sqlite() ? "sqlite" : "postgresql");
}

STRATA_ON_BOTH_BACKENDS(BackendLoad);

}  // namespace
}  // namespace strata::test
