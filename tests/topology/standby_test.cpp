// The standby scripts/with-postgres starts is what the replica tests take it for: a hot standby
// that replays the primary's writes, refuses its own, and catches up after being stopped.
#include <cstdlib>
#include <strata/strata.hpp>

#include "topology/topology_fixture.hpp"

namespace strata::test {
namespace {

class StandbyTest : public TopologyTest {
 protected:
  void SetUp() override {
    TopologyTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    on_primary("CREATE TABLE notes (id int PRIMARY KEY); INSERT INTO notes VALUES (1)");
    wait_for_replay(direct_url(), standby_url());
  }

  std::int64_t notes_on_standby() const {
    return create_engine(standby_url())
        .connect()
        .execute("SELECT count(*) FROM notes")
        .scalar<std::int64_t>();
  }
};

TEST_F(StandbyTest, ReplaysThePrimaryAndRefusesWrites) {
  EXPECT_EQ(notes_on_standby(), 1);
  auto conn = create_engine(standby_url()).connect();
  EXPECT_TRUE(conn.execute("SELECT pg_is_in_recovery()").scalar<bool>());
  try {
    conn.execute("INSERT INTO notes VALUES (2)");
    ADD_FAILURE() << "the standby took a write";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.sqlstate(), "25006") << e.what();  // read_only_sql_transaction
  }
}

// Stopped with STRATA_TEST_PG_STANDBY_CTL, the standby misses what the primary writes meanwhile;
// started again, it catches up (its replication slot kept the WAL).
TEST_F(StandbyTest, CatchesUpAfterAStop) {
  std::string ctl = topology_url("STRATA_TEST_PG_STANDBY_CTL");
  ASSERT_FALSE(ctl.empty());
  ASSERT_EQ(std::system((ctl + " stop -m fast >/dev/null").c_str()), 0);
  EXPECT_THROW(notes_on_standby(), OperationalError);
  on_primary("INSERT INTO notes SELECT generate_series(2, 1000)");
  ASSERT_EQ(std::system((ctl + " start >/dev/null").c_str()), 0);
  wait_for_replay(direct_url(), standby_url());
  EXPECT_EQ(notes_on_standby(), 1000);
}

}  // namespace
}  // namespace strata::test
