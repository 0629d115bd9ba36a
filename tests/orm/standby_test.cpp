// Read replicas on the real streaming standby scripts/with-postgres runs beside the primary
// (STRATA_TEST_PG_STANDBY_URL; STRATA_TEST_PG_STANDBY_CTL stops and starts it): reads counted on
// the standby and none on the primary, the standby stopped under load with every read answered,
// a request reading its own write, and the lag bound, with replay paused to make the standby
// trail. PostgreSQL only: SQLite has no replicas (read_session_test.cpp shows them refused).
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "orm_models.hpp"
#include "support/server_stats.hpp"

namespace strata::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Runs `$STRATA_TEST_PG_STANDBY_CTL <action>`; true when it succeeded.
bool standby_ctl(const std::string& action) {
  return std::system(
             (environment("STRATA_TEST_PG_STANDBY_CTL") + " " + action + " >/dev/null").c_str()) ==
         0;
}

// Polls `done` every 20 ms for up to `limit`; whether it came true.
template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 30s) {
  for (auto end = Clock::now() + limit; Clock::now() < end; std::this_thread::sleep_for(20ms)) {
    if (done()) return true;
  }
  return done();
}

class Standby : public OrmTest {
 protected:
  void SetUp() override {
    OrmTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_FALSE(environment("STRATA_TEST_PG_STANDBY_URL").empty())
        << "STRATA_TEST_PG_STANDBY_URL is not set: run through scripts/with-postgres";
    standby_.emplace(create_engine(Url::parse(environment("STRATA_TEST_PG_STANDBY_URL"))
                                       .with_database(Url::parse(url()).database())));
    factory().scope([](Session& s) {
      for (int i = 0; i < 10; ++i) s.add(Author{.name = "a" + std::to_string(i)});
    });
    ASSERT_TRUE(replayed()) << "the standby did not replay the test's tables within 30 s";
  }

  const Engine& standby() const { return *standby_; }
  SessionFactory factory() { return SessionFactory(engine()); }
  SessionFactory with_standby(ReplicaOptions options = {.check_interval = 100ms}) {
    return SessionFactory(engine(), {*standby_}, {}, options);
  }
  // Whether the standby has replayed everything the primary wrote so far, waiting up to 30 s.
  bool replayed() {
    auto lsn =
        engine().connect().execute("SELECT pg_current_wal_lsn()::text").scalar<std::string>();
    auto conn = create_engine(environment("STRATA_TEST_PG_STANDBY_URL")).connect();
    return eventually([&] {
      return conn.execute("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn", lsn).scalar<bool>();
    });
  }
  // Whether a read session of `sessions` ran on the standby, and the authors it counted.
  static std::pair<bool, std::int64_t> read(const SessionFactory& sessions) {
    return sessions.read_scope([](Session& s) {
      auto row = s.execute("SELECT pg_is_in_recovery(), count(*) FROM authors");
      return std::pair(row.row().get<bool>(0), row.row().get<std::int64_t>(1));
    });
  }

 private:
  std::optional<Engine> standby_;
};

// Pauses the standby's replay for its lifetime: it receives the primary's WAL and applies none.
class ReplayPaused {
 public:
  explicit ReplayPaused(const Engine& standby) : conn_(standby.connect()) {
    conn_.execute("SELECT pg_wal_replay_pause()");
  }
  ~ReplayPaused() {
    try {
      conn_.execute("SELECT pg_wal_replay_resume()");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "replay not resumed: " << e.what();
    }
  }
  ReplayPaused(const ReplayPaused&) = delete;
  ReplayPaused& operator=(const ReplayPaused&) = delete;

 private:
  Connection conn_;
};

// Starts the standby again, whatever the test's outcome.
struct StandbyRestart {
  bool stopped = false;
  ~StandbyRestart() {
    if (stopped) standby_ctl("start");
  }
};

// Counted from the servers' own statistics: every scan of the table on the standby, none on the
// primary; then reads sent to the primary on purpose are counted there, one each, which shows the
// primary's count would have seen a read that went astray.
TEST_P(Standby, ReadsAreCountedOnTheStandbyAndNoneOnThePrimary) {
  constexpr int kReads = 50;
  constexpr int kPrimaryReads = 5;
  // The notes table: no test's setup reads or writes it.
  auto on_primary = settled_table_scans(engine(), "notes");
  auto on_standby = settled_table_scans(standby(), "notes");
  auto sessions = with_standby();
  for (int i = 0; i < kReads; ++i) {
    EXPECT_TRUE(sessions.read_scope([](Session& s) { return s.select<Note>().all().empty(); }));
  }
  for (int i = 0; i < kPrimaryReads; ++i) {
    sessions.read_scope(ReadFrom::primary, [](Session& s) { return s.select<Note>().count(); });
  }
  // A server's backends hand their counts over when they exit at the latest.
  engine().dispose();
  standby().dispose();
  EXPECT_TRUE(table_scans_reach(standby(), "notes", on_standby + kReads));
  EXPECT_TRUE(table_scans_reach(engine(), "notes", on_primary + kPrimaryReads));
  EXPECT_EQ(table_scans(standby(), "notes") - on_standby, kReads);
  EXPECT_EQ(table_scans(engine(), "notes") - on_primary, kPrimaryReads);
}

// Four readers while the standby is stopped (fast shutdown: its sessions are terminated) and
// started again: no read fails or counts wrong, reads move to the primary while it is down and
// come back to it once it is up.
TEST_P(Standby, StoppedMidLoadReadsFallBackWithoutAnError) {
  auto sessions = with_standby();
  std::atomic<int> phase{0};  // 0 up, 1 stopped, 2 started again
  std::atomic<bool> stop{false};
  std::array<std::array<std::atomic<int>, 2>, 3> reads{};  // [phase][on standby]
  std::atomic<int> failures{0}, wrong_counts{0};
  std::mutex mutex;
  std::string first_failure;
  auto reader = [&] {
    while (!stop) {
      int now = phase;
      try {
        auto [on_standby, count] = read(sessions);
        ++reads[now][on_standby ? 1 : 0];
        if (count != 10) ++wrong_counts;
        // And a read outside a transaction, as ORM queries run.
        if (sessions.read_scope([](Session& s) { return s.select<Author>().count(); }) != 10) {
          ++wrong_counts;
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        if (failures++ == 0) first_failure = e.what();
      }
    }
  };
  StandbyRestart restart;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(reader);
  std::this_thread::sleep_for(500ms);
  restart.stopped = standby_ctl("stop -m fast");
  phase = 1;
  std::this_thread::sleep_for(1500ms);
  phase = 2;
  bool started = standby_ctl("start");
  restart.stopped = !started;
  bool back = eventually([&] { return reads[2][1] > 0; });
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(started) << "the standby did not start again";
  EXPECT_EQ(failures, 0) << first_failure;
  EXPECT_EQ(wrong_counts, 0);
  EXPECT_GT(reads[0][1], 0) << "no read reached the standby before it stopped";
  EXPECT_EQ(reads[1][1], 0);
  EXPECT_GT(reads[1][0], 0) << "no read while the standby was down";
  EXPECT_TRUE(back) << "reads did not come back to the standby after it started";
  EXPECT_TRUE(replayed());
}

// With replay paused the standby misses the write: a request that wrote reads it on the
// primary, and (control) one that did not reads the standby, where the row is not yet.
TEST_P(Standby, ARequestReadsItsOwnWriteFromThePrimary) {
  auto sessions = with_standby({.max_lag = 1h});
  auto count_new = [](Session& s) {
    return s.select<Author>().where(col(&Author::name) == "new").count();
  };
  ReplayPaused paused(standby());
  RequestSessions request{sessions};
  EXPECT_TRUE(read(sessions).first);
  request.scope([](Session& s) { s.add(Author{.name = "new"}); });
  EXPECT_EQ(request.read_scope(count_new), 1);
  EXPECT_FALSE(request.read_scope(
      [](Session& s) { return s.execute("SELECT pg_is_in_recovery()").scalar<bool>(); }));
  RequestSessions other{sessions};
  EXPECT_TRUE(other.read_scope(
      [](Session& s) { return s.execute("SELECT pg_is_in_recovery()").scalar<bool>(); }));
  EXPECT_EQ(other.read_scope(count_new), 0);
}

// A standby that has WAL waiting to be replayed trails by the time since its last replayed commit:
// past max_lag its reads go to the primary, and come back once it has caught up. Caught up, it
// counts as current however long ago the primary last committed.
TEST_P(Standby, ReplicasTrailingPastMaxLagAreSkipped) {
  auto sessions = with_standby({.max_lag = 300ms, .check_interval = 50ms});
  {
    ReplayPaused paused(standby());
    factory().scope([](Session& s) { s.add(Author{.name = "pending"}); });
    // Once the standby has received the commit it cannot replay, its lag grows past max_lag.
    EXPECT_TRUE(eventually([&] { return !read(sessions).first; }));
    EXPECT_EQ(read(sessions), std::pair(false, std::int64_t{11}));
  }
  EXPECT_TRUE(eventually([&] { return read(sessions).first; }));
  EXPECT_TRUE(replayed());
  // Idle for twice max_lag: nothing waits to be replayed, so nothing trails. The other test
  // binaries write to the same primary meanwhile, so the standby may have their WAL to replay
  // at any one look; it must come back to current, not stay trailing by the idle time.
  std::this_thread::sleep_for(600ms);
  EXPECT_TRUE(eventually([&] { return read(sessions) == std::pair(true, std::int64_t{11}); }, 5s));
}

INSTANTIATE_TEST_SUITE_P(Postgres, Standby, ::testing::Values(Backend::postgresql), backend_name);

}  // namespace
}  // namespace strata::test
