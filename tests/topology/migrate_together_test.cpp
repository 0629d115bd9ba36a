// Replicas of the application started at once against one database, each with
// `backend serve --migrate`: the migration lock lets one of them apply each revision, and all of
// them serve.
#include <fmt/format.h>

#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <strata/strata.hpp>
#include <thread>
#include <vector>

#include "backend/backend_process.hpp"
#include "topology/topology_fixture.hpp"

namespace strata::test {
namespace {

namespace fs = std::filesystem;

constexpr int kReplicas = 4;
// The backend's own revision, then two more of this test, so that the runners race over a
// chain rather than one step.
constexpr const char* kInit = "5c1d2e3f4a5b";
const std::vector<std::string> kRevisions = {kInit, "a1b2c3d4e5f6", "b2c3d4e5f6a7"};

// Revision `id` after `down`: a table of its own, and an index on it.
std::string revision_yaml(const std::string& id, const std::string& down, int n) {
  return fmt::format(R"(revision: {0}
down_revision: {1}
branch_labels: []
depends_on: []
message: replica table {2}
created: 2026-12-0{2}T00:00:00Z
transactional: true
upgrade:
  - create_table:
      name: replica_table_{2}
      columns:
        - {{name: id, type: biginteger, primary_key: true}}
        - {{name: note, type: text}}
  - create_index: {{name: ix_replica_table_{2}_note, table: replica_table_{2}, columns: [note]}}
downgrade:
  - drop_index: {{name: ix_replica_table_{2}_note, table: replica_table_{2}}}
  - drop_table: {{name: replica_table_{2}}}
)",
                     id, down, n);
}

class MigrateTogether : public TopologyTest {
 protected:
  // A project folder: strata.toml naming this test's database directly, and the backend's
  // migrations with two revisions more.
  fs::path project() const {
    fs::path root = dir() / "project";
    fs::create_directories(root / "migrations");
    fs::copy(fs::path(STRATA_SOURCE_DIR) / "backend/migrations/versions",
             root / "migrations/versions");
    for (std::size_t i = 1; i < kRevisions.size(); ++i) {
      std::ofstream(root / "migrations/versions" /
                    fmt::format("20261201_000{}_{}_replica.yaml", i, kRevisions[i]))
          << revision_yaml(kRevisions[i], kRevisions[i - 1], static_cast<int>(i));
    }
    std::ofstream(root / "strata.toml")
        << "[database]\nurl = \"" << direct_url("application_name=topology_test")
        << "\"\n[migrations]\nscript_location = \"migrations\"\n";
    return root;
  }
};

// Starts kReplicas `backend serve --migrate` at the same moment, each from a thread of its own.
std::vector<std::unique_ptr<BackendServer>> start_together(const fs::path& project) {
  std::vector<std::unique_ptr<BackendServer>> servers(kReplicas);
  std::latch go(kReplicas);
  {
    std::vector<std::jthread> starters;
    for (int i = 0; i < kReplicas; ++i) {
      starters.emplace_back([&, i] {
        go.arrive_and_wait();
        servers[i] = std::make_unique<BackendServer>(
            project, std::vector<std::string>{"serve", "--port", "0", "--migrate"});
      });
    }
  }
  return servers;
}

// Counts the steps a server's log says it took ("Running upgrade FROM -> TO, message") by TO.
void count_upgrades(const std::string& log, std::map<std::string, int>& told) {
  constexpr std::string_view kStep = "Running upgrade ";
  for (auto at = log.find(kStep); at != std::string::npos; at = log.find(kStep, at + 1)) {
    auto to = log.find("-> ", at) + 3;
    ++told[log.substr(to, log.find(',', to) - to)];
  }
}

TEST_F(MigrateTogether, FourBackendsApplyEachRevisionOnceAndAllServe) {
  auto servers = start_together(project());
  std::map<std::string, int> told;  // "Running upgrade" lines per revision, over all logs
  for (auto& server : servers) {
    ASSERT_TRUE(server->running()) << server->log();
    auto client = server->client();
    auto health = client->Get("/health");
    ASSERT_TRUE(health) << server->log();
    EXPECT_EQ(health->status, 200) << health->body;
    EXPECT_EQ(nlohmann::json::parse(health->body)["revision"], kRevisions.back()) << health->body;
    client.reset();
    EXPECT_EQ(server->stop(), 0) << server->log();
    count_upgrades(server->log(), told);
  }
  auto conn = create_engine(direct_url()).connect();
  EXPECT_EQ(told.size(), kRevisions.size());
  for (const auto& id : kRevisions) {
    EXPECT_EQ(told[id], 1) << id;
    EXPECT_EQ(conn.execute("SELECT count(*) FROM strata_history WHERE revision = ? AND "
                           "direction = 'upgrade'",
                           id)
                  .scalar<std::int64_t>(),
              1)
        << id;
  }
  EXPECT_EQ(conn.execute("SELECT count(*) FROM strata_history").scalar<std::int64_t>(),
            static_cast<std::int64_t>(kRevisions.size()));
  EXPECT_EQ(conn.execute("SELECT version_num FROM strata_version").scalar<std::string>(),
            kRevisions.back());
}

}  // namespace
}  // namespace strata::test
