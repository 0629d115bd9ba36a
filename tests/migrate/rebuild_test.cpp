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

}  // namespace
}  // namespace strata::test
