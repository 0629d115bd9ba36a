// Read sessions and read replicas without a standby: read_scope on both backends, what a read
// session refuses, replicas refused on SQLite, and on PostgreSQL the routing itself, with
// "replicas" that are further connections to the primary told apart by their application_name:
// round robin, an unreachable replica skipped, a replica lost during the first statement (which
// runs again on the primary) or after it (an error), and RequestSessions reading its writes.
#include <atomic>
#include <thread>

#include "orm_models.hpp"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

class ReadSessions : public OrmTest {
 protected:
  SessionFactory factory() { return SessionFactory(engine()); }
  void add_authors(int count, const std::string& prefix = "a") {
    factory().scope([&](Session& s) {
      for (int i = 0; i < count; ++i) s.add(Author{.name = prefix + std::to_string(i)});
    });
  }
};

TEST_P(ReadSessions, ReadScopeReadsTheDatabaseWithoutReplicas) {
  add_authors(3);
  auto names = factory().read_scope([](Session& s) {
    std::vector<std::string> out;
    for (auto* a : s.select<Author>().order_by(col(&Author::name)).all()) out.push_back(a->name);
    return out;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"a0", "a1", "a2"}));
  EXPECT_EQ(factory().read_scope(ReadFrom::primary,
                                 [](Session& s) { return s.select<Author>().count(); }),
            3);
}

TEST_P(ReadSessions, AReadSessionRefusesToWriteObjects) {
  add_authors(1);
  auto sessions = factory();
  EXPECT_THROW(sessions.read_scope([](Session& s) { s.add(Author{.name = "new"}); }), UsageError);
  try {
    sessions.read_scope([](Session& s) {
      s.select<Author>().one().name = "changed";
      s.flush();
    });
    FAIL() << "a read session flushed a change";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("read session"), std::string::npos) << e.what();
  }
  EXPECT_EQ(rows("authors"), 1);
  EXPECT_EQ(factory().read_scope([](Session& s) { return s.select<Author>().one().name; }), "a0");
}

// A read session's transaction is deferred on SQLite: were it BEGIN IMMEDIATE, the writer below
// would wait for it (in this very thread) until its busy_timeout and fail.
TEST_P(ReadSessions, AReadTransactionTakesNoWriteLock) {
  add_authors(1);
  auto reading = factory().read_session();
  EXPECT_EQ(reading.execute("SELECT count(*) FROM authors").scalar<std::int64_t>(), 1);
  EXPECT_TRUE(reading.in_transaction());
  add_authors(1, "b");
  reading.commit();
  EXPECT_EQ(rows("authors"), 2);
}

TEST_P(ReadSessions, ReplicasNeedPostgres) {
  auto sqlite = create_engine("sqlite:///" + (dir() / "other.db").string());
  try {
    if (is_sqlite()) {
      SessionFactory(engine(), {create_engine("sqlite:///" + (dir() / "copy.db").string())});
    } else {
      SessionFactory(engine(), {sqlite});
    }
    FAIL() << "replicas accepted";
  } catch (const ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(is_sqlite() ? "read replicas need a database that has them (PostgreSQL)"
                                    : "is not a postgresql database"),
              std::string::npos)
        << what;
  }
}

TEST_P(ReadSessions, RequestSessionsNoteWritesNotReads) {
  add_authors(1);
  RequestSessions request{factory()};
  request.scope([](Session& s) { return s.select<Author>().count(); });
  EXPECT_FALSE(request.wrote());
  EXPECT_EQ(request.reads_from(), ReadFrom::replica);
  EXPECT_THROW(request.scope([](Session& s) {
    s.add(Author{.name = "b"});
    s.flush();
    throw std::runtime_error("after the flush");
  }),
               std::runtime_error);
  EXPECT_TRUE(request.wrote());  // flushed, so perhaps committed: reads go to the primary
  EXPECT_EQ(request.reads_from(), ReadFrom::primary);
  RequestSessions other{factory()};
  other.note_write();
  EXPECT_EQ(other.reads_from(), ReadFrom::primary);
}

STRATA_ON_BOTH_BACKENDS(ReadSessions);

// PostgreSQL only: "replicas" on the primary itself, named by application_name.
class ReplicaRouting : public ReadSessions {
 protected:
  Engine named(const std::string& name) { return make_engine("application_name=" + name); }
  SessionFactory with_replicas(std::vector<Engine> replicas, ReplicaOptions options = {}) {
    return SessionFactory(named("primary"), std::move(replicas), {}, options);
  }
  // The application_name of the connection a read session of `sessions` runs on.
  static std::string reader(const SessionFactory& sessions) {
    return sessions.read_scope([](Session& s) {
      return s.execute("SELECT current_setting('application_name')").scalar<std::string>();
    });
  }
  // Runs `query` on the session while another connection terminates it, once it is running on
  // a connection named `victim`.
  static std::string terminated_during(Session& session, const std::string& query,
                                       const Engine& killer, const std::string& victim) {
    std::atomic<bool> done{false};
    std::thread kill([&] {
      auto conn = killer.connect();
      while (!done) {
        auto result = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ? "
            "AND query LIKE '%pg_sleep%' AND state = 'active'",
            victim);
        if (!result.empty()) break;
        std::this_thread::sleep_for(5ms);
      }
    });
    std::string answer;
    try {
      answer = session.execute(query).scalar<std::string>();
    } catch (...) {
      done = true;
      kill.join();
      throw;
    }
    done = true;
    kill.join();
    return answer;
  }
};

TEST_P(ReplicaRouting, ReadsTakeTurnsAndWritesStayOnThePrimary) {
  auto sessions = with_replicas({named("r1"), named("r2")});
  std::vector<std::string> readers;
  for (int i = 0; i < 4; ++i) readers.push_back(reader(sessions));
  EXPECT_EQ(readers, (std::vector<std::string>{"r1", "r2", "r1", "r2"}));
  EXPECT_EQ(sessions.scope([](Session& s) {
    return s.execute("SELECT current_setting('application_name')").scalar<std::string>();
  }),
            "primary");
  EXPECT_EQ(
      sessions.read_scope(
          ReadFrom::primary,
          [](Session& s) { return s.execute("SHOW transaction_read_only").scalar<std::string>(); }),
      "on");
}

// PostgreSQL's READ ONLY transaction refuses raw writes as well (SQLite has no such thing).
TEST_P(ReplicaRouting, ReadOnlyTransactionsRefuseRawWrites) {
  try {
    with_replicas({named("r1")}).read_scope([](Session& s) {
      s.execute("INSERT INTO authors (name) VALUES ('raw')");
    });
    FAIL() << "a read session wrote through execute()";
  } catch (const ProgrammingError& e) {
    EXPECT_EQ(e.sqlstate(), "25006") << e.what();
  }
  EXPECT_EQ(rows("authors"), 0);
}

TEST_P(ReplicaRouting, AnUnreachableReplicaIsSkipped) {
  // Port 1: nothing listens there.
  auto gone = create_engine("postgresql://postgres@127.0.0.1:1/" + Url::parse(url()).database() +
                            "?connect_timeout=2");
  auto sessions = with_replicas({gone, named("r2")});
  std::vector<std::string> readers;
  for (int i = 0; i < 4; ++i) readers.push_back(reader(sessions));
  EXPECT_EQ(readers, (std::vector<std::string>{"r2", "r2", "r2", "r2"}));
  auto alone = with_replicas({gone});
  EXPECT_EQ(reader(alone), "primary");
}

TEST_P(ReplicaRouting, AReplicaLostDuringTheFirstStatementIsReadAgainOnThePrimary) {
  auto sessions = with_replicas({named("doomed")}, {.check_interval = 1h});
  ASSERT_EQ(reader(sessions), "doomed");
  auto session = sessions.read_session();
  EXPECT_EQ(
      terminated_during(session, "SELECT current_setting('application_name') FROM pg_sleep(0.5)",
                        engine(), "doomed"),
      "primary");
  // Out of turn until checked again.
  EXPECT_EQ(reader(sessions), "primary");
}

TEST_P(ReplicaRouting, AReplicaLostAfterAnAnswerIsAnError) {
  auto sessions = with_replicas({named("doomed")}, {.check_interval = 1h});
  auto session = sessions.read_session();
  EXPECT_EQ(session.execute("SELECT current_setting('application_name')").scalar<std::string>(),
            "doomed");
  EXPECT_THROW(terminated_during(session, "SELECT 'x' FROM pg_sleep(0.5)", engine(), "doomed"),
               OperationalError);
}

TEST_P(ReplicaRouting, AStatementErrorOnAReplicaIsNotRetried) {
  auto sessions = with_replicas({named("r1")});
  EXPECT_THROW(sessions.read_scope([](Session& s) { s.execute("SELECT * FROM no_such_table"); }),
               ProgrammingError);
  EXPECT_EQ(reader(sessions), "r1");
}

TEST_P(ReplicaRouting, ARequestThatWroteReadsFromThePrimary) {
  RequestSessions request{with_replicas({named("r1")})};
  auto read = [&] {
    return request.read_scope([](Session& s) {
      return s.execute("SELECT current_setting('application_name')").scalar<std::string>();
    });
  };
  EXPECT_EQ(read(), "r1");
  request.scope([](Session& s) { s.add(Author{.name = "new"}); });
  EXPECT_TRUE(request.wrote());
  EXPECT_EQ(read(), "primary");
  EXPECT_EQ(request.read_scope([](Session& s) { return s.select<Author>().one().name; }), "new");
}

INSTANTIATE_TEST_SUITE_P(Postgres, ReplicaRouting, ::testing::Values(Backend::postgresql),
                         backend_name);

}  // namespace
}  // namespace strata::test
