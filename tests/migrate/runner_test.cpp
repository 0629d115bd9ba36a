// The runner on both backends: upgrade, downgrade, relative targets, a failing revision that
// leaves the database at the last completed one, checksums, stamp, and two runners at once.
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/runner.hpp>
#include <thread>

#include "migrations_fixture.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;
namespace fs = std::filesystem;

const char* kInit = R"yaml(revision: aaaa00000001
down_revision: null
message: init
upgrade:
  - create_table:
      name: users
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: email, type: string(320), nullable: false, unique: true}
  - create_table:
      name: items
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: string(200), nullable: false}
        - {name: owner_id, type: biginteger, nullable: false,
           foreign_key: {references: users.id, on_delete: cascade}}
downgrade:
  - drop_table: {name: items}
  - drop_table: {name: users}
)yaml";

// On SQLite the type change rebuilds items, which users' cascade must not empty.
const char* kSecond = R"yaml(revision: bbbb00000002
down_revision: aaaa00000001
message: widen title
upgrade:
  - add_column: {table: items, column: {name: note, type: text}}
  - alter_column: {table: items, name: title, type: text}
downgrade:
  - alter_column: {table: items, name: title, type: string(200)}
  - drop_column: {table: items, name: note}
)yaml";

const char* kThird = R"yaml(revision: cccc00000003
down_revision: bbbb00000002
message: index
upgrade:
  - create_index: {table: items, columns: [owner_id]}
downgrade:
  - drop_index: {table: items, name: ix_items_owner_id}
)yaml";

class RunnerTest : public MigrationsTest {
 protected:
  void SetUp() override {
    MigrationsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    write("20250101_0000_aaaa00000001_init.yaml", kInit);
    write("20250102_0000_bbbb00000002_widen.yaml", kSecond);
    write("20250103_0000_cccc00000003_index.yaml", kThird);
  }
  using Ids = std::vector<std::string>;
};

TEST_P(RunnerTest, UpgradeDowngradeAndRelativeTargets) {
  auto s = scripts();
  std::vector<std::string> said;
  RunnerOptions options;
  options.progress = [&](const std::string& line) { said.push_back(line); };
  Runner runner(*engine_, s, options);
  EXPECT_EQ(runner.current(), Ids{});
  EXPECT_EQ(runner.upgrade("+1").size(), 1u);
  auto conn = engine_->connect();
  conn.execute("INSERT INTO users (id, email) VALUES (1, 'a@x')");
  conn.execute("INSERT INTO items (id, title, owner_id) VALUES (1, 'one', 1), (2, 'two', 1)");
  EXPECT_EQ(runner.upgrade("head").size(), 2u);
  EXPECT_EQ(runner.current(), Ids{"cccc00000003"});
  EXPECT_EQ(said.at(1), "Running upgrade aaaa00000001 -> bbbb00000002, widen title");
  EXPECT_EQ(count("SELECT count(*) FROM items"), 2);  // the rebuild kept every row
  SchemaState replayed;
  for (const Revision* r : s.graph().applied_in_order({"cccc00000003"})) {
    for (const auto& op : r->upgrade) replayed.apply(op);
  }
  EXPECT_EQ(describe_difference(*replayed.table("items"), Inspector(*engine_).table("items")), "");
  EXPECT_EQ(count("SELECT count(*) FROM strata_history WHERE direction = 'upgrade'"), 3);
  runner.downgrade("-1");
  EXPECT_EQ(runner.current(), Ids{"bbbb00000002"});
  EXPECT_EQ(runner.downgrade("base").size(), 2u);
  EXPECT_EQ(runner.current(), Ids{});
  EXPECT_FALSE(Inspector(*engine_).has_table("items"));
}

// Under PostgreSQL's advisory lock no other runner can move the heads, so a step costs its own
// statements and no more: BEGIN, its operation (the step's SET LOCAL limits in the same round
// trip), its version rows and COMMIT. Counted as the difference between runs of 2 and 6 steps,
// which share the run's own costs (lock, version tables, reflection).
TEST_P(RunnerTest, AStepUnderTheAdvisoryLockCostsOnlyItsOwnRoundTrips) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has no server to make round trips to";
  std::string down = "cccc00000003";
  for (int i = 1; i <= 6; ++i) {
    std::string id = "eeee0000000" + std::to_string(i);
    std::string c = "c" + std::to_string(i);
    write("2025020" + std::to_string(i) + "_0000_" + id + "_col.yaml",
          "revision: " + id + "\ndown_revision: " + down + "\nmessage: " + c +
              "\nupgrade:\n  - add_column: {table: items, column: {name: " + c +
              ", type: integer}}\ndowngrade:\n  - drop_column: {table: items, name: " + c + "}\n");
    down = id;
  }
  auto engine = make_engine("pool_size=1&max_overflow=0");  // one connection, counted throughout
  auto runner = runner_on(engine);
  runner.upgrade("cccc00000003");
  auto trips = [&](const std::function<void()>& run) {
    std::uint64_t before = engine.connect().round_trips();
    run();
    return engine.connect().round_trips() - before;
  };
  // A statement's second run prepares it (one more round trip): a first run warms them all.
  trips([&] { runner.upgrade("+2"); });
  runner.downgrade("cccc00000003");
  auto two = trips([&] { runner.upgrade("+2"); });
  runner.downgrade("cccc00000003");
  auto six = trips([&] { runner.upgrade("+6"); });
  EXPECT_EQ(runner.current(), Ids{"eeee00000006"});
  EXPECT_EQ(six - two, 4u * 4u) << "2 steps: " << two << " round trips, 6 steps: " << six;
}

TEST_P(RunnerTest, RevisionWithoutDowngradeCannotBeReverted) {
  write("20250104_0000_dddd00000004_oneway.yaml",
        "revision: dddd00000004\ndown_revision: cccc00000003\nmessage: one way\nupgrade:\n"
        "  - execute: {sql: \"UPDATE items SET title = title\"}\n");
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.upgrade("heads");
  try {
    runner.downgrade("-1");
    FAIL();
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("dddd00000004"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot be reverted"), std::string::npos);
  }
  EXPECT_EQ(runner.current(), Ids{"dddd00000004"});
}

TEST_P(RunnerTest, FailingRevisionLeavesTheLastCompletedOne) {
  write("20250104_0000_dddd00000004_bad.yaml",
        "revision: dddd00000004\ndown_revision: cccc00000003\nmessage: bad\nupgrade:\n"
        "  - create_table: {name: extra, columns: [{name: id, type: integer}]}\n"
        "  - execute: {sql: \"INSERT INTO no_such_table VALUES (1)\"}\n");
  auto s = scripts();
  Runner runner(*engine_, s);
  try {
    runner.upgrade("heads");
    FAIL();
  } catch (const MigrationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("20250104_0000_dddd00000004_bad.yaml: upgrade operation 2 (execute)"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("INSERT INTO no_such_table"), std::string::npos) << message;
  }
  EXPECT_EQ(runner.current(), Ids{"cccc00000003"});
  EXPECT_FALSE(Inspector(*engine_).has_table("extra"));
}

TEST_P(RunnerTest, ChangedFilesAreRefusedUnlessAllowed) {
  {
    auto s = scripts();
    Runner(*engine_, s).upgrade("bbbb00000002");
  }
  write("20250101_0000_aaaa00000001_init.yaml", std::string(kInit) + "# edited\n");
  auto s = scripts();
  try {
    Runner(*engine_, s).upgrade("heads");
    FAIL();
  } catch (const MigrationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("revision aaaa00000001"), std::string::npos) << message;
    EXPECT_NE(message.find(s.graph().get("aaaa00000001").checksum), std::string::npos) << message;
    EXPECT_NE(message.find("allow_changed"), std::string::npos);
  }
  RunnerOptions allow;
  allow.allow_changed = true;
  EXPECT_EQ(Runner(*engine_, s, allow).upgrade("heads").size(), 1u);
  // Applied again, the edited file's newest history row holds its new checksum.
  Runner(*engine_, s, allow).downgrade("base");
  Runner(*engine_, s).upgrade("heads");
  EXPECT_EQ(count("SELECT count(*) FROM strata_history WHERE revision = 'aaaa00000001'"), 3);
  EXPECT_TRUE(Runner(*engine_, s).upgrade("heads").empty());
}

// What `strata upgrade` does at each deploy: plan from the links alone, and parse the
// operations only when there is something to run. An upgrade with nothing to run still checks
// the applied files' checksums.
TEST_P(RunnerTest, LinksAloneAnswerAnUpgradeWithNothingToRun) {
  auto links = ScriptDirectory::load(dir() / "migrations", {}, Contents::graph);
  Runner probe(*engine_, links);
  auto plan = probe.plan(true, "heads");
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan.front().revision->id, "aaaa00000001");
  try {
    probe.upgrade("heads");
    FAIL();
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("without its operations"), std::string::npos) << e.what();
  }
  EXPECT_EQ(probe.current(), Ids{});
  {
    auto s = scripts();
    Runner(*engine_, s).upgrade("heads");
  }
  EXPECT_TRUE(probe.plan(true, "heads").empty());
  EXPECT_EQ(probe.plan(false, "base").size(), 3u);
  EXPECT_TRUE(probe.upgrade("heads").empty());
  // An edit of the same size, its time put back: the links cache still trusts the file, the
  // checksum check does not.
  auto file = dir() / "migrations" / "versions" / "20250101_0000_aaaa00000001_init.yaml";
  auto when = fs::last_write_time(file);
  std::string text = kInit;
  text.replace(text.find("string(320)"), 11, "string(321)");
  write("20250101_0000_aaaa00000001_init.yaml", text);
  fs::last_write_time(file, when);
  auto edited = ScriptDirectory::load(dir() / "migrations", {}, Contents::graph);
  try {
    Runner(*engine_, edited).upgrade("heads");
    FAIL();
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("changed after it was applied"), std::string::npos)
        << e.what();
  }
}

TEST_P(RunnerTest, StampSetsTheVersionWithoutRunning) {
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.stamp("bbbb");
  EXPECT_EQ(runner.current(), Ids{"bbbb00000002"});
  EXPECT_FALSE(Inspector(*engine_).has_table("items"));
  runner.stamp("base");
  EXPECT_EQ(runner.current(), Ids{});
}

// A second root, so that the version table holds two heads.
const char* kOtherRoot = R"yaml(revision: dddd00000004
down_revision: null
branch_labels: [other]
message: other root
upgrade:
  - create_table:
      name: others
      columns:
        - {name: id, type: biginteger, primary_key: true}
downgrade:
  - drop_table: {name: others}
)yaml";

TEST_P(RunnerTest, StampKeepsOtherBranchesUnlessPurged) {
  write("20250104_0000_dddd00000004_other.yaml", kOtherRoot);
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.stamp("heads");
  EXPECT_EQ(runner.current(), (Ids{"cccc00000003", "dddd00000004"}));
  runner.stamp("aaaa");
  EXPECT_EQ(runner.current(), (Ids{"aaaa00000001", "dddd00000004"}));
  runner.stamp("other@head");
  EXPECT_EQ(runner.current(), (Ids{"aaaa00000001", "dddd00000004"}));
  // A revision of another git branch, say: only --purge stamps over it.
  engine_->connect().execute("INSERT INTO strata_version (version_num) VALUES ('ffff00000000')");
  try {
    runner.stamp("bbbb");
    FAIL();
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("ffff00000000"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("purged"), std::string::npos) << e.what();
  }
  EXPECT_EQ(runner.current(), (Ids{"aaaa00000001", "dddd00000004", "ffff00000000"}));
  EXPECT_THROW(runner.stamp("+1", true), ConfigError);
  runner.stamp("bbbb", true);
  EXPECT_EQ(runner.current(), Ids{"bbbb00000002"});
  runner.stamp("base");
  EXPECT_EQ(runner.current(), Ids{});
}

// SQLite has no lock across a run: another runner can apply a revision of another branch
// between two steps, and its head must survive this run's steps.
TEST_P(RunnerTest, HeadsWrittenByAnotherRunnerBetweenStepsStay) {
  if (!is_sqlite()) {
    GTEST_SKIP() << "PostgreSQL's advisory lock keeps other runners out for the whole run";
  }
  write("20250104_0000_dddd00000004_other.yaml", kOtherRoot);
  auto s = scripts();
  RunnerOptions options;
  bool interrupted = false;
  options.waiting = [&](const std::string&) {
    if (std::exchange(interrupted, true)) return;
    Runner(make_engine(), s).upgrade("other@head");
  };
  Runner(*engine_, s, options).upgrade("cccc");
  EXPECT_EQ(Runner(*engine_, s).current(), (Ids{"cccc00000003", "dddd00000004"}));
  EXPECT_EQ(count("SELECT count(*) FROM strata_history WHERE revision = 'dddd00000004'"), 1);
}

// A CHECK and a partial index follow their column through a rename, and go with it when it
// is dropped; rebuilds on SQLite in between must make them as they now read.
TEST_P(RunnerTest, ChecksAndPartialIndexesFollowTheirColumn) {
  write("20250104_0000_dddd00000004_checks.yaml", R"yaml(revision: dddd00000004
down_revision: cccc00000003
message: stock
upgrade:
  - add_column: {table: items, column: {name: qty, type: integer}}
  - create_check_constraint: {name: qty_positive, table: items, condition: "qty > 0"}
  - create_index: {name: ix_items_stocked, table: items, columns: [title], where: "qty > 0"}
downgrade:
  - drop_index: {name: ix_items_stocked, table: items}
  - drop_constraint: {name: ck_items_qty_positive, table: items, type: check}
  - drop_column: {table: items, name: qty}
)yaml");
  write("20250105_0000_eeee00000005_rename.yaml", R"yaml(revision: eeee00000005
down_revision: dddd00000004
message: rename qty
upgrade:
  - alter_column: {table: items, name: qty, new_name: quantity}
  - alter_column: {table: items, name: note, nullable: false, server_default: ""}
downgrade:
  - alter_column: {table: items, name: note, nullable: true, server_default: null}
  - alter_column: {table: items, name: quantity, new_name: qty}
)yaml");
  write("20250106_0000_ffff00000006_drop.yaml", R"yaml(revision: ffff00000006
down_revision: eeee00000005
message: drop quantity
upgrade:
  - drop_column: {table: items, name: quantity}
  - alter_column: {table: items, name: note, type: string(500)}
)yaml");
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.upgrade("eeee");
  auto conn = engine_->connect();
  conn.execute("INSERT INTO users (id, email) VALUES (1, 'a@x.org')");
  EXPECT_THROW(conn.execute("INSERT INTO items (id, title, owner_id, quantity) VALUES (1, 't', 1, "
                            "-1)"),
               IntegrityError);
  runner.upgrade("heads");
  EXPECT_EQ(runner.current(), Ids{"ffff00000006"});
  conn.execute("INSERT INTO items (id, title, owner_id, note) VALUES (2, 't', 1, 'n')");
  EXPECT_FALSE(Inspector(*engine_).has_relation("ix_items_stocked"));
}

// Another runner takes the whole plan while this one announces its first step: every step is
// then found taken, and none is rendered twice into the shapes.
TEST_P(RunnerTest, AnotherRunnerFinishingFirstLeavesNothingToDo) {
  if (!is_sqlite()) {
    GTEST_SKIP() << "PostgreSQL's advisory lock keeps other runners out for the whole run";
  }
  auto s = scripts();
  RunnerOptions options;
  bool interrupted = false;
  std::vector<Step> theirs;
  options.waiting = [&](const std::string&) {
    if (!std::exchange(interrupted, true)) theirs = Runner(make_engine(), s).upgrade("heads");
  };
  // Each reports only what it applied itself.
  EXPECT_TRUE(Runner(*engine_, s, options).upgrade("heads").empty());
  EXPECT_EQ(theirs.size(), 3u);
  EXPECT_EQ(Runner(*engine_, s).current(), Ids{"cccc00000003"});
  EXPECT_EQ(count("SELECT count(*) FROM strata_history"), 3);
}

TEST_P(RunnerTest, TwoRunnersAtOnceApplyEachRevisionOnce) {
  auto s = scripts();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex mutex;
  std::atomic<std::size_t> reported{0};
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      try {
        reported += Runner(make_engine(), s).upgrade("heads").size();
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        if (failures++ == 0) first_failure = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(reported.load(), 3u) << "each step is reported by the runner that applied it";
  EXPECT_EQ(count("SELECT count(*) FROM strata_history WHERE direction = 'upgrade'"), 3);
  EXPECT_EQ(Runner(*engine_, s).current(), Ids{"cccc00000003"});
}

TEST_P(RunnerTest, NonTransactionalRevisionsSaySo) {
  write("20250104_0000_dddd00000004_concurrent.yaml",
        "revision: dddd00000004\ndown_revision: cccc00000003\nmessage: concurrent index\n"
        "transactional: false\nupgrade:\n"
        "  - create_index: {table: items, columns: [title], concurrently: true}\n"
        "downgrade:\n  - drop_index: {table: items, name: ix_items_title}\n");
  auto s = scripts();
  std::vector<std::string> said;
  RunnerOptions options;
  options.progress = [&](const std::string& line) { said.push_back(line); };
  Runner(*engine_, s, options).upgrade("heads");
  EXPECT_EQ(
      said.back(),
      "Running upgrade cccc00000003 -> dddd00000004, concurrent index (not in a transaction)");
  auto items = Inspector(*engine_).table("items");
  EXPECT_TRUE(std::any_of(items.indexes.begin(), items.indexes.end(),
                          [](const Index& i) { return i.name == "ix_items_title"; }));
  EXPECT_EQ(Runner(*engine_, s).current(), Ids{"dddd00000004"});
}

TEST_P(RunnerTest, LockTimeoutNamesTheHolder) {
  if (is_sqlite())
    GTEST_SKIP() << "SQLite writers queue on BEGIN IMMEDIATE; there is no lock to time out";
  // The same key held in another database (another project on the server) is not the holder.
  auto elsewhere = create_engine(postgres_server_url()).connect();
  elsewhere.execute("SELECT pg_advisory_lock(?)", lock_key("strata_version"));
  auto other_pid = elsewhere.execute("SELECT pg_backend_pid()").scalar<std::int64_t>();
  auto holder = engine_->connect();
  holder.execute("SELECT pg_advisory_lock(?)", lock_key("strata_version"));
  auto pid = holder.execute("SELECT pg_backend_pid()").scalar<std::int64_t>();
  auto s = scripts();
  RunnerOptions options;
  options.migration_lock_timeout = std::chrono::milliseconds(100);
  try {
    Runner(make_engine(), s, options).upgrade("heads");
    FAIL() << "expected the lock to time out";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(pid)), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find(std::to_string(other_pid)), std::string::npos) << e.what();
  }
  std::vector<std::int64_t> holders;
  auto lookup = Dialect::of(Backend::postgresql).lock_holder_sql(lock_key("strata_version"));
  for (const auto& row : holder.execute(lookup)) holders.push_back(row.get<std::int64_t>(0));
  EXPECT_EQ(holders, std::vector<std::int64_t>{pid});
  elsewhere.execute("SELECT pg_advisory_unlock(?)", lock_key("strata_version"));
  holder.execute("SELECT pg_advisory_unlock(?)", lock_key("strata_version"));
  EXPECT_EQ(Runner(*engine_, s).upgrade("heads").size(), 3u);
}

STRATA_ON_BOTH_BACKENDS(RunnerTest);

}  // namespace
}  // namespace strata::test
