// The table rebuild on a real table: 100,000 rows, two indexes, a trigger and a view, and a
// child table whose foreign key cascades on delete. Every kind of alteration keeps every row,
// index, trigger and view; no child row is lost to the cascade. (On PostgreSQL the same
// revisions run as ALTER TABLE, and must keep the same promises.)
#include <filesystem>
#include <fstream>
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/runner.hpp>

#include "support/backends.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;
namespace fs = std::filesystem;

const char* kInit = R"yaml(revision: a00000000001
down_revision: null
message: init
upgrade:
  - create_table:
      name: parent
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: string(100), nullable: false, index: true}
        - {name: price, type: integer, index: true}
        - {name: qty, type: integer}
  - create_table:
      name: child
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: parent_id, type: biginteger, nullable: false,
           foreign_key: {references: parent.id, on_delete: cascade}}
  - create_table:
      name: audit
      columns:
        - {name: parent_id, type: biginteger}
  - execute:
      sql: >
        CREATE TRIGGER trg_parent_audit AFTER INSERT ON parent
        BEGIN INSERT INTO audit (parent_id) VALUES (NEW.id); END
      postgresql: >
        CREATE FUNCTION parent_audit() RETURNS trigger AS $$
        BEGIN INSERT INTO audit (parent_id) VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER trg_parent_audit AFTER INSERT ON parent
        FOR EACH ROW EXECUTE FUNCTION parent_audit()
  - execute: {sql: "CREATE VIEW cheap AS SELECT id, price FROM parent WHERE price < 10"}
downgrade:
  - execute: {sql: "DROP VIEW cheap"}
  - drop_table: {name: audit}
  - drop_table: {name: child}
  - drop_table: {name: parent}
)yaml";

// One alteration per revision, each a rebuild on SQLite.
const std::vector<std::pair<std::string, std::string>> kAlterations = {
    {"alter_column: {table: parent, name: title, type: text}",
     "alter_column: {table: parent, name: title, type: string(100)}"},
    {"alter_column: {table: parent, name: price, nullable: false}",
     "alter_column: {table: parent, name: price, nullable: true}"},
    {"alter_column: {table: parent, name: qty, server_default: 0}",
     "alter_column: {table: parent, name: qty, server_default: null}"},
    {"create_unique_constraint: {name: uq_parent_id_title, table: parent, columns: [id, title]}",
     "drop_constraint: {name: uq_parent_id_title, table: parent, type: unique}"},
    {"create_check_constraint: {name: qty_ok, table: parent, condition: \"qty >= 0\"}",
     "drop_constraint: {name: ck_parent_qty_ok, table: parent, type: check}"},
    {"add_column: {table: parent, column: {name: added, type: integer, nullable: false, "
     "server_default: 7}}",
     "drop_column: {table: parent, name: added}"},
};

class Rebuild : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto versions = dir() / "migrations" / "versions";
    fs::create_directories(versions);
    std::ofstream(versions / "20250101_0000_a00000000001_init.yaml") << kInit;
    std::string previous = "a00000000001";
    for (std::size_t i = 0; i < kAlterations.size(); ++i) {
      std::string id = "b0000000000" + std::to_string(i + 1);
      std::ofstream(versions / ("20250102_000" + std::to_string(i) + "_" + id + "_alter.yaml"))
          << "revision: " << id << "\ndown_revision: " << previous << "\nmessage: alter " << i
          << "\nupgrade:\n  - " << kAlterations[i].first << "\ndowngrade:\n  - "
          << kAlterations[i].second << "\n";
      previous = id;
    }
    engine_.emplace(make_engine());
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }
  int count(const std::string& sql) { return engine_->connect().execute(sql).scalar<int>(); }
  void fill() {
    auto conn = engine_->connect();
    auto tx = conn.begin();
    conn.execute_script(
        is_sqlite()
            ? "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
              "INSERT INTO parent (id, title, price, qty) SELECT i, 'title ' || i, i % 20, i FROM n"
            : "INSERT INTO parent (id, title, price, qty) SELECT i, 'title ' || i, i % 20, i "
              "FROM generate_series(1, 100000) i");
    conn.execute_script(
        is_sqlite()
            ? "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
              "INSERT INTO child (id, parent_id) SELECT i, i * 50 FROM n"
            : "INSERT INTO child (id, parent_id) SELECT i, i * 50 FROM generate_series(1, 1000) i");
    tx.commit();
  }
  void expect_everything_kept(const std::string& when) {
    EXPECT_EQ(count("SELECT count(*) FROM parent"), 100000) << when;
    EXPECT_EQ(count("SELECT count(*) FROM child"), 1000) << when;
    EXPECT_EQ(count("SELECT count(*) FROM cheap"), 50000) << when;
    EXPECT_EQ(Inspector(*engine_).table("parent").indexes.size(), 2u) << when;
    int audited = count("SELECT count(*) FROM audit");
    engine_->connect().execute("INSERT INTO parent (id, title, price, qty) VALUES (?, 'x', 50, 1)",
                               200000 + audited);
    EXPECT_EQ(count("SELECT count(*) FROM audit"), audited + 1) << when << ": trigger lost";
    engine_->connect().execute("DELETE FROM parent WHERE id = ?", 200000 + audited);
  }

  std::optional<Engine> engine_;
};

TEST_P(Rebuild, EveryAlterationKeepsRowsIndexesTriggersAndViews) {
  auto scripts = ScriptDirectory::load(dir() / "migrations");
  RunnerOptions options;
  int announced = 0;  // progress lines for copies of 100,000 rows and more
  options.progress = [&](const std::string& line) {
    announced += line == "  Rebuilding table parent: copying 100000 rows";
  };
  Runner runner(*engine_, scripts, options);
  runner.upgrade("a00000000001");
  fill();
  expect_everything_kept("after init");
  for (std::size_t i = 0; i < kAlterations.size(); ++i) {
    runner.upgrade("+1");
    expect_everything_kept(kAlterations[i].first);
  }
  for (std::size_t i = 0; i < kAlterations.size(); ++i) {
    runner.downgrade("-1");
    expect_everything_kept("reverting " + kAlterations[kAlterations.size() - 1 - i].first);
  }
  EXPECT_EQ(runner.current(), std::vector<std::string>{"a00000000001"});
  if (is_sqlite()) {
    EXPECT_GT(announced, 0);
  } else {
    EXPECT_EQ(announced, 0);  // PostgreSQL alters in place
  }
}

TEST_P(Rebuild, AViolatedConstraintRollsTheRevisionBack) {
  auto scripts = ScriptDirectory::load(dir() / "migrations");
  Runner runner(*engine_, scripts);
  runner.upgrade("a00000000001");
  fill();
  engine_->connect().execute("UPDATE parent SET price = NULL WHERE id = 77");
  runner.upgrade("+1");  // the type change
  try {
    runner.upgrade("+1");  // NOT NULL on a column holding a NULL
    FAIL() << "expected the NOT NULL change to fail";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("alter_column"), std::string::npos) << e.what();
  }
  EXPECT_EQ(runner.current(), std::vector<std::string>{"b00000000001"});
  EXPECT_EQ(count("SELECT count(*) FROM parent"), 100000);
  EXPECT_EQ(count("SELECT count(*) FROM child"), 1000);
}

// Rows that broke a foreign key while checks were off are found by the rebuild's
// foreign_key_check, and the revision is rolled back.
TEST_P(Rebuild, ABrokenForeignKeyAbortsTheRebuild) {
  if (!is_sqlite()) GTEST_SKIP() << "PostgreSQL never lets a foreign key break";
  auto scripts = ScriptDirectory::load(dir() / "migrations");
  Runner runner(*engine_, scripts);
  runner.upgrade("a00000000001");
  auto loose = create_engine(url("foreign_keys=off")).connect();
  loose.execute("INSERT INTO child (id, parent_id) VALUES (5, 999999)");
  try {
    runner.upgrade("+1");  // rebuilds parent
    FAIL() << "expected the foreign key check to fail";
  } catch (const MigrationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("row 5 of table child refers to a missing parent row"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(runner.current(), std::vector<std::string>{"a00000000001"});
}

STRATA_ON_BOTH_BACKENDS(Rebuild);

// What a rebuild drops besides the table, on SQLite: triggers on it (whatever the case of its
// name in their text), on views, or on other tables naming it; indexes no revision declared.
const char* kDependents = R"yaml(revision: d00000000001
down_revision: null
message: items and what hangs on them
upgrade:
  - create_table:
      name: Items
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: string(100)}
        - {name: qty, type: integer}
  - create_table:
      name: log
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: note, type: text}
  - create_table:
      name: owner
      columns:
        - {name: id, type: biginteger, primary_key: true}
  - create_table:
      name: pet
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: owner_id, type: biginteger, foreign_key: {references: owner.id}}
  - execute: {sql: "CREATE INDEX ix_manual ON Items (qty)"}
  - execute: {sql: "CREATE VIEW v_items AS SELECT id, title FROM Items"}
  - execute:
      sql: >
        CREATE TRIGGER tr_view INSTEAD OF INSERT ON v_items
        BEGIN INSERT INTO Items (id, title) VALUES (NEW.id, NEW.title); END
  - execute:
      sql: >
        CREATE TRIGGER tr_case AFTER DELETE ON ITEMS
        BEGIN INSERT INTO log (note) VALUES ('gone ' || OLD.id); END
  - execute:
      sql: >
        CREATE TRIGGER tr_log AFTER INSERT ON log
        BEGIN UPDATE Items SET qty = 0 WHERE qty IS NULL; END
downgrade:
  - drop_table: {name: pet}
  - drop_table: {name: owner}
  - drop_table: {name: log}
  - drop_table: {name: Items}
)yaml";

class RebuildDependents : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!is_sqlite()) GTEST_SKIP() << "PostgreSQL alters these tables in place: nothing rebuilds";
    fs::create_directories(dir() / "deps" / "versions");
    write("d00000000001", kDependents);
    engine_.emplace(make_engine());
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }
  void write(const std::string& id, const std::string& text) {
    std::ofstream(dir() / "deps" / "versions" / ("20250101_0000_" + id + "_step.yaml")) << text;
  }
  void write_step(const std::string& id, const std::string& down, const std::string& upgrade,
                  bool transactional = true) {
    write(id, "revision: " + id + "\ndown_revision: " + down + "\nmessage: step\n" +
                  (transactional ? "" : "transactional: false\n") + "upgrade:\n  - " + upgrade +
                  "\n");
  }
  Runner runner() {
    scripts_.emplace(ScriptDirectory::load(dir() / "deps"));
    return Runner(*engine_, *scripts_);
  }
  std::vector<std::string> schema_names() {
    std::vector<std::string> out;
    auto conn = engine_->connect();
    for (const auto& row : conn.execute(
             "SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger', 'view') AND "
             "sql IS NOT NULL ORDER BY name")) {
      out.push_back(row.get<std::string>(0));
    }
    return out;
  }
  int count(const std::string& sql) { return engine_->connect().execute(sql).scalar<int>(); }

  std::optional<Engine> engine_;
  std::optional<ScriptDirectory> scripts_;
};

TEST_P(RebuildDependents, EveryTriggerIndexAndViewComesBack) {
  write_step("d00000000002", "d00000000001",
             "alter_column: {table: Items, name: title, type: text}");
  auto before = (runner().upgrade("d00000000001"), schema_names());
  EXPECT_EQ(before,
            (std::vector<std::string>{"ix_manual", "tr_case", "tr_log", "tr_view", "v_items"}));
  runner().upgrade("heads");
  EXPECT_EQ(schema_names(), before);
  auto conn = engine_->connect();
  conn.execute("INSERT INTO v_items (id, title) VALUES (1, 'through the view')");
  conn.execute("INSERT INTO log (note) VALUES ('touch')");
  conn.execute("DELETE FROM Items WHERE id = 1");
  EXPECT_EQ(count("SELECT count(*) FROM log WHERE note = 'gone 1'"), 1);
}

// A view already broken elsewhere is not the rebuild's business; an index made through
// execute follows its column's rename.
TEST_P(RebuildDependents, OtherBrokenViewsStayAndUndeclaredIndexesFollowRenames) {
  write_step("d00000000002", "d00000000001",
             "create_table: {name: gone, columns: [{name: id, type: integer}]}\n"
             "  - execute: {sql: \"CREATE VIEW v_gone AS SELECT id FROM gone\"}\n"
             "  - drop_table: {name: gone}\n"
             "  - alter_column: {table: Items, name: qty, new_name: amount, type: text}");
  runner().upgrade("heads");
  EXPECT_EQ(runner().current(), std::vector<std::string>{"d00000000002"});
  auto conn = engine_->connect();
  auto sql =
      conn.execute("SELECT sql FROM sqlite_schema WHERE name = 'ix_manual'").scalar<std::string>();
  EXPECT_NE(sql.find("(amount)"), std::string::npos) << sql;
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_schema WHERE name = 'v_gone'"), 1);
}

TEST_P(RebuildDependents, AViewTheNewShapeBreaksStopsTheRevision) {
  write_step("d00000000002", "d00000000001",
             "alter_column: {table: Items, name: title, new_name: label, type: text}");
  runner().upgrade("d00000000001");
  try {
    runner().upgrade("heads");
    FAIL() << "the view selects the dropped column";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("v_items"), std::string::npos) << e.what();
  }
  EXPECT_EQ(runner().current(), std::vector<std::string>{"d00000000001"});
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('Items') WHERE name = 'title'"), 1);
}

// A generated column is made again by the rebuild from the expression its CREATE TABLE holds,
// and computed by the new table for every row.
TEST_P(RebuildDependents, AGeneratedColumnIsMadeAgainByTheRebuild) {
  write_step("d00000000002", "d00000000001",
             "execute: {sql: \"ALTER TABLE Items ADD COLUMN loud TEXT GENERATED ALWAYS AS "
             "(upper(title)) VIRTUAL\"}\n  - execute: {sql: \"INSERT INTO Items (id, title) "
             "VALUES (1, 'ab'), (2, 'cd')\"}");
  write_step("d00000000003", "d00000000002",
             "alter_column: {table: Items, name: title, type: text}");
  runner().upgrade("heads");
  EXPECT_EQ(runner().current(), std::vector<std::string>{"d00000000003"});
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_xinfo('Items') WHERE name = 'loud' AND "
                  "hidden = 2"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM Items"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM Items WHERE loud IS NOT upper(title)"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM pragma_table_info('Items') WHERE name = 'title' AND "
                  "type = 'TEXT'"),
            1);
}

// A view can name the table through another view, or in another case: those break too.
TEST_P(RebuildDependents, AViewBrokenThroughAnotherViewStopsTheRevision) {
  for (const char* view : {"CREATE VIEW v_qty AS SELECT qty FROM v_all",
                           "CREATE VIEW v_case AS SELECT qty FROM \"ITEMS\""}) {
    write_step("d00000000002", "d00000000001",
               std::string("execute: {sql: '") + view +
                   "'}\n  - alter_column: {table: Items, name: qty, new_name: amount, type: "
                   "text}");
    auto scripts = ScriptDirectory::load(dir() / "deps");
    Runner runner(*engine_, scripts);
    runner.upgrade("d00000000001");
    if (std::string(view).find("v_all") != std::string::npos) {
      engine_->connect().execute_script("CREATE VIEW v_all AS SELECT * FROM Items");
    }
    EXPECT_THROW(runner.upgrade("heads"), MigrationError) << view;
    EXPECT_EQ(runner.current(), std::vector<std::string>{"d00000000001"}) << view;
    engine_->connect().execute_script("DROP VIEW IF EXISTS v_all");
  }
}

TEST_P(RebuildDependents, ARebuildOutsideATransactionIsWholeOrNothing) {
  write_step("d00000000002", "d00000000001",
             "alter_column: {table: Items, name: title, nullable: false}", false);
  runner().upgrade("d00000000001");
  engine_->connect().execute("INSERT INTO Items (id, title) VALUES (1, NULL)");
  EXPECT_THROW(runner().upgrade("heads"), MigrationError);
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%strata_new%'"), 0);
  engine_->connect().execute("UPDATE Items SET title = 'now set'");
  runner().upgrade("heads");
  EXPECT_EQ(runner().current(), std::vector<std::string>{"d00000000002"});
}

TEST_P(RebuildDependents, BrokenRowsElsewhereDoNotStopARebuild) {
  write_step("d00000000002", "d00000000001",
             "alter_column: {table: Items, name: title, type: text}");
  runner().upgrade("d00000000001");
  create_engine(url("foreign_keys=off"))
      .connect()
      .execute("INSERT INTO pet (id, owner_id) VALUES (1, 404)");
  runner().upgrade("heads");
  EXPECT_EQ(runner().current(), std::vector<std::string>{"d00000000002"});
}

STRATA_ON_BOTH_BACKENDS(RebuildDependents);

}  // namespace
}  // namespace strata::test
