// The reference backend with a read replica (DATABASE_REPLICA_URLS naming the standby
// scripts/with-postgres runs): its GET routes are counted on the standby and not on the primary,
// and GETs under load while the standby is stopped and started again are all answered 200.
#include <fmt/format.h>

#include <array>
#include <atomic>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <strata/strata.hpp>
#include <thread>
#include <vector>

#include "backend/backend_process.hpp"
#include "support/server_stats.hpp"
#include "topology/topology_fixture.hpp"

namespace strata::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kItems = 5;

class ReplicaBackend : public TopologyTest {
 protected:
  void SetUp() override {
    TopologyTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    project_ = dir() / "project";
    fs::create_directories(project_ / "migrations");
    fs::copy(fs::path(STRATA_SOURCE_DIR) / "backend/migrations/versions",
             project_ / "migrations/versions");
    std::ofstream(project_ / "strata.toml")
        << "[database]\nurl = \"" << direct_url() << "\"\n[migrations]\nscript_location = "
        << "\"migrations\"\n";
    // The schema and a user's items, written by a server that then exits (its connections
    // hand their statistics over as they close).
    BackendServer writer(project_, {"serve", "--port", "0", "--migrate"});
    ASSERT_TRUE(writer.running()) << writer.log();
    auto client = writer.client();
    auto user = client->Post("/users", R"({"email": "ann@example.com", "name": "Ann"})",
                             "application/json");
    ASSERT_TRUE(user && user->status == 201) << writer.log();
    auto owner = nlohmann::json::parse(user->body)["id"].get<std::int64_t>();
    for (int i = 0; i < kItems; ++i) {
      auto item =
          client->Post("/items", fmt::format(R"({{"title": "t{}", "owner_id": {}}})", i, owner),
                       "application/json");
      ASSERT_TRUE(item && item->status == 201) << writer.log();
      item_ids_.push_back(nlohmann::json::parse(item->body)["id"].get<std::int64_t>());
    }
    client.reset();
    ASSERT_EQ(writer.stop(), 0) << writer.log();
    wait_for_replay(direct_url(), standby_url());
  }

  // `backend serve` on the project, with the standby as its read replica or without.
  std::unique_ptr<BackendServer> serve(bool with_replica) const {
    Environment env;
    if (with_replica) env["DATABASE_REPLICA_URLS"] = standby_url();
    return std::make_unique<BackendServer>(project_,
                                           std::vector<std::string>{"serve", "--port", "0"}, env);
  }
  // One GET of the list or of an item, in turn; its status (0 without an answer) and whether
  // its body is right.
  std::pair<int, bool> get(httplib::Client& client, int i) const {
    bool list = i % 2 == 0;
    auto path = list ? std::string("/items")
                     : fmt::format("/items/{}",
                                   item_ids_[static_cast<std::size_t>(i / 2) % item_ids_.size()]);
    auto answer = client.Get(path);
    if (!answer) return {0, false};
    if (answer->status != 200) return {answer->status, false};
    auto body = nlohmann::json::parse(answer->body);
    return {200, list ? body.size() == item_ids_.size() : body.contains("title")};
  }

  fs::path project_;
  std::vector<std::int64_t> item_ids_;
};

// From the servers' own statistics, with a control: the same GETs from a server without the
// replica are counted on the primary, one scan each.
TEST_F(ReplicaBackend, GetsAreCountedOnTheStandbyAndNoneOnThePrimary) {
  constexpr int kGets = 40;
  auto primary = create_engine(direct_url());
  auto standby = create_engine(standby_url());
  auto on_primary = settled_table_scans(primary, "items");
  auto on_standby = settled_table_scans(standby, "items");
  for (bool with_replica : {true, false}) {
    auto server = serve(with_replica);
    ASSERT_TRUE(server->running()) << server->log();
    auto client = server->client();
    for (int i = 0; i < kGets; ++i) {
      auto [status, right] = get(*client, i);
      ASSERT_EQ(status, 200) << server->log();
      EXPECT_TRUE(right);
    }
    client.reset();
    ASSERT_EQ(server->stop(), 0) << server->log();
    if (with_replica) {
      EXPECT_TRUE(table_scans_reach(standby, "items", on_standby + kGets));
      EXPECT_EQ(table_scans(standby, "items") - on_standby, kGets);
      EXPECT_EQ(table_scans(primary, "items"), on_primary);
    }
  }
  EXPECT_TRUE(table_scans_reach(primary, "items", on_primary + kGets));
  EXPECT_EQ(table_scans(primary, "items") - on_primary, kGets);
  EXPECT_EQ(table_scans(standby, "items") - on_standby, kGets);
}

// Eight clients GET for the whole run while the standby is stopped (fast shutdown, which ends
// its sessions) and started again: every answer is a 200 with the right body, and the server's
// log tells the replica was left out meanwhile.
TEST_F(ReplicaBackend, StandbyStoppedUnderLoadGivesNoServerError) {
  constexpr int kClients = 8;
  auto server = serve(true);
  ASSERT_TRUE(server->running()) << server->log();
  std::vector<std::unique_ptr<httplib::Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(server->client());
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0}, failed{0};
  std::mutex mutex;
  std::string first_failure;
  std::vector<std::thread> threads;
  for (auto& client : clients) {
    threads.emplace_back([&, c = client.get()] {
      for (int i = 0; !stop; ++i) {
        auto [status, right] = get(*c, i);
        if (status == 200 && right) {
          ++answered;
        } else if (failed++ == 0) {
          std::lock_guard lock(mutex);
          first_failure = fmt::format("status {} (right body: {})", status, right);
        }
      }
    });
  }
  std::string ctl = topology_url("STRATA_TEST_PG_STANDBY_CTL");
  std::this_thread::sleep_for(1s);
  bool stopped = std::system((ctl + " stop -m fast >/dev/null").c_str()) == 0;
  std::this_thread::sleep_for(2s);
  bool started = std::system((ctl + " start >/dev/null").c_str()) == 0;
  std::this_thread::sleep_for(2s);
  stop = true;
  for (auto& t : threads) t.join();
  clients.clear();
  EXPECT_TRUE(stopped && started) << "STRATA_TEST_PG_STANDBY_CTL failed";
  EXPECT_EQ(failed, 0) << first_failure << "\n" << server->log();
  EXPECT_GT(answered, 100);
  EXPECT_EQ(server->stop(), 0);
  EXPECT_NE(server->log().find("serves no reads"), std::string::npos) << server->log();
  wait_for_replay(direct_url(), standby_url());
}

// Bad replica settings stop `serve` before it listens: exit 2 and one line naming the variable,
// the password masked; replicas of a SQLite database too.
TEST_F(ReplicaBackend, BadReplicaSettingsAreOneLineAndExit2) {
  auto refused = [](const fs::path& project, const Environment& env, const std::string& says) {
    auto run = run_backend(project, {"serve", "--port", "0"}, env);
    EXPECT_EQ(run.status, 2) << run.err;
    EXPECT_EQ(run.err.find("secret"), std::string::npos) << run.err;
    // The error is the last line, under the program's name, after the log's lines.
    ASSERT_TRUE(run.err.ends_with("\n")) << run.err;
    auto start = run.err.rfind('\n', run.err.size() - 2);
    std::string last = run.err.substr(start == std::string::npos ? 0 : start + 1);
    EXPECT_TRUE(last.starts_with("backend: ")) << run.err;
    EXPECT_NE(last.find(says), std::string::npos) << run.err;
  };
  refused(
      project_, {{"DATABASE_REPLICA_URLS", "postgresql://app:secret@replica:99999/app"}},
      "DATABASE_REPLICA_URLS: bad port in database URL 'postgresql://app:***@replica:99999/app'");
  refused(project_, {{"DATABASE_REPLICA_MAX_LAG", "soon"}},
          "DATABASE_REPLICA_MAX_LAG must be a duration");
  fs::path sqlite = dir() / "sqlite";
  fs::create_directories(sqlite);
  fs::copy(project_ / "migrations", sqlite / "migrations", fs::copy_options::recursive);
  std::ofstream(sqlite / "strata.toml")
      << "[database]\nurl = \"sqlite:///app.db\"\nreplicas = [\"" << standby_url()
      << "\"]\n[migrations]\nscript_location = \"migrations\"\n";
  refused(sqlite, {}, "read replicas need a PostgreSQL database, not sqlite:///");
}

}  // namespace
}  // namespace strata::test
