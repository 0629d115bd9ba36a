// The step executor on both backends: the same steps through the database sink and through the
// script sink (run afterwards) leave the same tables and heads, in the one sequence (foreign keys
// off around a SQLite rebuild, BEGIN, operations, foreign key check, version rows, COMMIT); a
// failing step leaves nothing behind and its connection as it was; a rebuild is the dialect's
// to carry out.
#include <strata/dialect/inspector.hpp>

#include "migrate/executor.hpp"
#include "migrate/live_shape.hpp"
#include "migrations_fixture.hpp"
#include "strata/core/error.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;

const char* kItems = R"yaml(revision: e00000000001
down_revision: null
message: items
upgrade:
  - create_table:
      name: items
      columns:
        - {name: id, type: integer, primary_key: true}
        - {name: name, type: string(50)}
  - create_table:
      name: child
      columns:
        - {name: id, type: integer, primary_key: true}
        - {name: item_id, type: integer, foreign_key: {references: items.id}}
  - bulk_insert: {table: items, rows: [{id: 1, name: one}, {id: 2, name: two}]}
  - bulk_insert: {table: child, rows: [{id: 1, item_id: 2}]}
downgrade:
  - drop_table: {name: child}
  - drop_table: {name: items}
)yaml";

// A rebuild on SQLite, ALTER TABLE on PostgreSQL.
const char* kNotNull = R"yaml(revision: e00000000002
down_revision: e00000000001
message: name required
upgrade:
  - alter_column: {table: items, name: name, nullable: false}
downgrade:
  - alter_column: {table: items, name: name, nullable: true}
)yaml";

// Fails after its rebuild has run: the whole step goes.
const char* kFails = R"yaml(revision: e00000000003
down_revision: e00000000002
message: fails
upgrade:
  - alter_column: {table: child, name: item_id, nullable: false}
  - execute: {sql: "INSERT INTO no_such_table VALUES (1)"}
downgrade: []
)yaml";

class Executor : public MigrationsTest {
 protected:
  void SetUp() override {
    MigrationsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    write("20250101_0000_e00000000001_items.yaml", kItems);
    write("20250101_0000_e00000000002_not_null.yaml", kNotNull);
    auto conn = engine_->connect();
    for (const Table& t : {tables_.version_table(), tables_.history_table()}) {
      for (const auto& sql : dialect().create_table(t)) conn.execute_script(sql);
    }
  }
  const Dialect& dialect() const { return Dialect::of(backend()); }
  // Takes the plan to `target` through the database sink; how many steps it took.
  std::size_t run_online(const ScriptDirectory& s, std::string_view target) {
    auto conn = engine_->connect();
    auto heads = heads_now();
    SchemaState state = replay_lenient(s.graph(), heads, dialect());
    migrate::detail::LiveShapes live(conn);
    migrate::detail::DatabaseSink sink(conn, tables_, nullptr);
    migrate::detail::StepExecutor executor(dialect(), live, sink, state);
    std::size_t taken = 0;
    for (const auto& step : s.graph().plan_upgrade(heads, target)) taken += executor.run(step);
    return taken;
  }
  std::string script_of(const ScriptDirectory& s) {
    SchemaState state;
    migrate::detail::ReplayShapes replayed;
    migrate::detail::ScriptSink script(dialect(), tables_);
    migrate::detail::StepExecutor executor(dialect(), replayed, script, state);
    for (const auto& step : s.graph().plan_upgrade({}, "heads")) EXPECT_TRUE(executor.run(step));
    return script.take();
  }
  std::vector<std::string> heads_now() {
    std::vector<std::string> out;
    for (const auto& row : engine_->connect().execute("SELECT version_num FROM strata_version")) {
      out.push_back(row.get<std::string>(0));
    }
    return out;
  }
  Table table(const std::string& name) { return Inspector(*engine_).table(name); }

  VersionTables tables_{"strata_version", "strata_history"};
};

// Each mark found after the one before it.
void expect_in_order(const std::string& text, const std::vector<std::string>& marks) {
  std::size_t at = 0;
  for (const auto& mark : marks) {
    auto found = text.find(mark, at);
    ASSERT_NE(found, std::string::npos) << mark << " after offset " << at << " in\n" << text;
    at = found + mark.size();
  }
}

TEST_P(Executor, BothSinksTakeTheSameSequenceToTheSameTables) {
  auto s = scripts();
  EXPECT_EQ(run_online(s, "heads"), 2u);
  EXPECT_EQ(heads_now(), std::vector<std::string>{"e00000000002"});
  EXPECT_EQ(count("SELECT count(*) FROM strata_history"), 2);
  EXPECT_FALSE(table("items").column("name")->nullable);
  Table items = table("items"), child = table("child");

  std::string script = script_of(s);
  std::vector<std::string> second{"-- Running upgrade e00000000001 -> e00000000002"};
  if (is_sqlite()) second.push_back("PRAGMA foreign_keys=OFF;");
  second.push_back("BEGIN;");
  second.push_back(is_sqlite() ? "CREATE TABLE" : "ALTER TABLE");
  if (is_sqlite()) second.push_back("PRAGMA foreign_key_check;");
  for (const char* mark : {"DELETE FROM strata_version", "INSERT INTO strata_history", "COMMIT;"}) {
    second.push_back(mark);
  }
  if (is_sqlite()) second.push_back("PRAGMA foreign_keys=ON;");
  expect_in_order(script, second);
  EXPECT_EQ(script.find("PRAGMA"),
            is_sqlite() ? script.find("PRAGMA foreign_keys=OFF") : std::string::npos);

  run("DROP TABLE child; DROP TABLE items; DELETE FROM strata_version; DELETE FROM strata_history");
  run(script);
  EXPECT_EQ(heads_now(), std::vector<std::string>{"e00000000002"});
  EXPECT_EQ(count("SELECT count(*) FROM items"), 2);
  EXPECT_EQ(describe_difference(items, table("items")), "");
  EXPECT_EQ(describe_difference(child, table("child")), "");
}

TEST_P(Executor, AFailingStepLeavesNothingAndItsConnectionAsItWas) {
  write("20250101_0000_e00000000003_fails.yaml", kFails);
  auto s = scripts();
  EXPECT_EQ(run_online(s, "e00000000002"), 2u);
  auto conn = engine_->connect();
  SchemaState state = replay_lenient(s.graph(), heads_now(), dialect());
  migrate::detail::LiveShapes live(conn);
  migrate::detail::DatabaseSink sink(conn, tables_, nullptr);
  migrate::detail::StepExecutor executor(dialect(), live, sink, state);
  auto plan = s.graph().plan_upgrade(heads_now(), "heads");
  ASSERT_EQ(plan.size(), 1u);
  try {
    executor.run(plan[0]);
    ADD_FAILURE() << "the step ran";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("e00000000003_fails.yaml: upgrade operation 2 (execute)"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(heads_now(), std::vector<std::string>{"e00000000002"});
  EXPECT_TRUE(table("child").column("item_id")->nullable);  // the rebuild went with the step
  EXPECT_EQ(count("SELECT count(*) FROM child"), 1);
  if (is_sqlite()) {
    EXPECT_EQ(conn.execute("PRAGMA foreign_keys").scalar<std::int64_t>(), 1);
  }
  EXPECT_EQ(conn.execute("SELECT count(*) FROM strata_history").scalar<std::int64_t>(), 2);
}

// SQLite's rebuild keeps a view over the table and an index no revision declared; the default
// way, PostgreSQL's, runs the statements alone, and the view stops the drop of the old table.
TEST_P(Executor, ARebuildIsCarriedOutTheDialectsWay) {
  run("CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER)");
  run("INSERT INTO t (id, a) VALUES (1, 10)");
  run("CREATE INDEX t_a_by_hand ON t (a)");
  run("CREATE VIEW v AS SELECT a FROM t");
  Table from = table("t");
  from.indexes.clear();  // no revision declared it
  Table to = from;
  to.columns.push_back(Column("b", Type::integer()));
  TableRebuild rebuild{"t",
                       rebuild_table(from, to, dialect(), same_names(from, to)),
                       same_names(from, to),
                       {},
                       {"id", "a"}};
  auto conn = engine_->connect();
  if (!is_sqlite()) {
    EXPECT_THROW(dialect().carry_out(conn, rebuild, nullptr), DatabaseError);
    return;
  }
  dialect().carry_out(conn, rebuild, nullptr);
  EXPECT_TRUE(table("t").column("b"));
  EXPECT_EQ(count("SELECT a FROM v"), 10);
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_schema WHERE name = 't_a_by_hand'"), 1);
}

STRATA_ON_BOTH_BACKENDS(Executor);

}  // namespace
}  // namespace strata::test
