// Clients through PgBouncer in transaction pooling mode, where each transaction of a client may
// run on another server connection: strata's URL parameter prepared_statements=false is what
// makes that work.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <strata/strata.hpp>
#include <thread>
#include <vector>

#include "topology/topology_fixture.hpp"

namespace strata::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kPooled = "prepared_statements=false";
constexpr int kClients = 32;

// How long the load runs: the 10 s, or STRATA_TOPOLOGY_SECONDS.
std::chrono::seconds load_duration() {
  const char* text = std::getenv("STRATA_TOPOLOGY_SECONDS");
  return std::chrono::seconds(text != nullptr ? std::atoi(text) : 10);
}

// What one client saw: the ids whose insert the server acknowledged, the server connections
// (backend pids) its transactions ran on, and its failures.
struct ClientOutcome {
  std::vector<std::int64_t> acknowledged;
  std::set<int> servers;
  int errors = 0;
  std::string first_error;
};

// Inserts rows until `until`, alternating a lone statement (a transaction of its own) with an
// explicit transaction that reads its row back before committing. The same SQL runs again and
// again, which strata would prepare under a name without prepared_statements=false.
ClientOutcome run_client(const std::string& url, int client, Clock::time_point until) {
  ClientOutcome out;
  auto engine = create_engine(url);
  constexpr const char* kInsert =
      "INSERT INTO writes (id, client) VALUES (?, ?) RETURNING pg_backend_pid()";
  for (std::int64_t seq = 0; Clock::now() < until; ++seq) {
    std::int64_t id = client * 100'000'000LL + seq;
    try {
      auto conn = engine.connect();
      if (seq % 2 == 0) {
        out.servers.insert(conn.execute(kInsert, id, client).scalar<int>());
      } else {
        auto tx = conn.begin();
        out.servers.insert(conn.execute(kInsert, id, client).scalar<int>());
        if (conn.execute("SELECT client FROM writes WHERE id = ?", id).scalar<int>() != client) {
          throw std::runtime_error("row " + std::to_string(id) + " read back wrong");
        }
        tx.commit();
      }
      out.acknowledged.push_back(id);
    } catch (const std::exception& e) {
      if (out.errors++ == 0) out.first_error = e.what();
    }
  }
  return out;
}

class PgBouncerTest : public TopologyTest {
 protected:
  void SetUp() override {
    TopologyTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    on_primary("CREATE TABLE writes (id bigint PRIMARY KEY, client int NOT NULL)");
  }
};

// 32 clients, each with an engine of its own, write through PgBouncer for 10 s: not one error,
// and every write the server acknowledged is there afterwards, read directly on the primary.
TEST_F(PgBouncerTest, ThirtyTwoClientsLoseNoAcknowledgedWrite) {
  std::vector<ClientOutcome> outcomes(kClients);
  auto until = Clock::now() + load_duration();
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] { outcomes[c] = run_client(pgbouncer_url(kPooled), c, until); });
    }
  }
  std::set<std::int64_t> acknowledged;
  std::set<int> servers;
  int moved = 0;  // clients whose transactions ran on more than one server connection
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(outcomes[c].errors, 0) << "client " << c << ": " << outcomes[c].first_error;
    EXPECT_FALSE(outcomes[c].acknowledged.empty()) << "client " << c << " wrote nothing";
    acknowledged.insert(outcomes[c].acknowledged.begin(), outcomes[c].acknowledged.end());
    servers.insert(outcomes[c].servers.begin(), outcomes[c].servers.end());
    moved += outcomes[c].servers.size() > 1;
  }
  RecordProperty("acknowledged_writes", static_cast<int>(acknowledged.size()));
  RecordProperty("clients_on_several_server_connections", moved);
  // Otherwise PgBouncer did not multiplex, and the test would show nothing about pooling: the
  // 32 clients shared its few server connections, and their transactions moved between them.
  EXPECT_LE(servers.size(), static_cast<std::size_t>(kPgBouncerPoolSize));
  EXPECT_GT(moved, 0) << "no client's transactions changed server connection";
  std::set<std::int64_t> stored;
  auto conn = create_engine(direct_url()).connect();
  for (const auto& row : conn.execute("SELECT id FROM writes")) {
    stored.insert(row.get<std::int64_t>(0));
  }
  std::vector<std::int64_t> missing;
  std::set_difference(acknowledged.begin(), acknowledged.end(), stored.begin(), stored.end(),
                      std::back_inserter(missing));
  EXPECT_TRUE(missing.empty()) << missing.size() << " acknowledged writes are missing, the first "
                               << missing.front();
  // No write failed, so none can have been stored without an acknowledgement.
  EXPECT_EQ(stored.size(), acknowledged.size());
}

// The statement whose runs the next test counts: the server connection it ran on.
constexpr const char* kRepeated = "SELECT pg_backend_pid() WHERE ? >= 0";

// Runs kRepeated in transactions on a client at `client_url` (through PgBouncer): three times
// in one (strata prepares it by name at the second run), then once in a transaction while
// another client holds the server connection the first one used. PgBouncer gives the most
// recently used connection first, so that one goes to the blocker and the client's next
// transaction runs elsewhere. Returns the server connections the client's runs saw.
std::set<int> run_repeated(const std::string& client_url, const std::string& blocker_url) {
  auto client = create_engine(client_url).connect();
  auto blocker = create_engine(blocker_url).connect();
  std::set<int> servers;
  for (int round = 0; round < 5; ++round) {
    {
      auto tx = client.begin();
      for (int run = 0; run < 3; ++run)
        servers.insert(client.execute(kRepeated, run).scalar<int>());
      tx.commit();
    }
    auto hold = blocker.begin();
    int held = blocker.execute("SELECT pg_backend_pid()").scalar<int>();
    auto tx = client.begin();
    int now = client.execute(kRepeated, round).scalar<int>();
    EXPECT_NE(now, held);
    servers.insert(now);
    tx.commit();
    hold.commit();
  }
  return servers;
}

TEST_F(PgBouncerTest, RepeatedStatementNeverMissesItsPreparedStatement) {
  auto servers = run_repeated(pgbouncer_url(kPooled), pgbouncer_url(kPooled));
  // The runs really moved between server connections: each one's statement was new there.
  EXPECT_GE(servers.size(), 2u);
}

// The control: the same runs without the parameter fail as soon as a transaction lands on a
// server connection where strata's named statement does not exist, which shows that the
// parameter is what the test above depends on.
TEST_F(PgBouncerTest, RepeatedStatementFailsWithoutTheParameter) {
  try {
    run_repeated(pgbouncer_url(), pgbouncer_url(kPooled));
    FAIL() << "a named prepared statement survived a change of server connection";
  } catch (const DatabaseError& e) {
    std::string text = e.what();
    EXPECT_NE(text.find("prepared statement"), std::string::npos) << text;
    EXPECT_NE(text.find("does not exist"), std::string::npos) << text;
    EXPECT_EQ(e.sqlstate(), "26000") << text;  // invalid_sql_statement_name
    RecordProperty("error", text);
  }
}

}  // namespace
}  // namespace strata::test
