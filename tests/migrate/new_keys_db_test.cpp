// A history that uses named primary keys, create_primary_key, drop_constraint's primary keys
// and operations kept to one dialect, run on both backends online (upgrade head, downgrade base,
// upgrade head) and offline (the script of offline_script executed through strata's own
// connection): the databases match table by table, the replayed schema matches them, and rows
// survive the SQLite rebuilds that change a primary key.
#include <filesystem>
#include <fstream>
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/offline.hpp>
#include <strata/migrate/runner.hpp>

#include "support/backends.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;
namespace fs = std::filesystem;

const char* kKeys = R"yaml(revision: aaaa10000001
down_revision: null
message: keys
upgrade:
  - create_table:
      name: runs
      columns:
        - {name: id, type: biginteger, nullable: false}
        - {name: attempt, type: integer, nullable: false}
        - {name: note, type: text}
      primary_key: {name: run_pk, columns: [id, attempt]}
  - create_table:
      name: items
      columns:
        - {name: id, type: biginteger, primary_key: true, autoincrement: false}
        - {name: code, type: string(20)}
      primary_key: {name: items_key}
  - create_table:
      name: tags
      columns:
        - {name: item_id, type: biginteger}
        - {name: tag, type: string(30)}
  - bulk_insert:
      table: runs
      rows: [{id: 1, attempt: 1, note: first}, {id: 1, attempt: 2, note: again},
             {id: 2, attempt: 1, note: other}]
  - bulk_insert:
      table: tags
      rows: [{item_id: 1, tag: red}, {item_id: 1, tag: blue}]
downgrade:
  - drop_table: {name: tags}
  - drop_table: {name: items}
  - drop_table: {name: runs}
)yaml";

// The downgrade is what migrate::inverse gives for the upgrade (checked below).
const char* kRekey = R"yaml(revision: aaaa10000002
down_revision: aaaa10000001
message: rekey
upgrade:
  - drop_constraint: {name: run_pk, table: runs, type: primary_key}
  - create_primary_key: {name: runs_by_attempt, table: runs, columns: [attempt, id]}
  - create_primary_key: {table: tags, columns: [item_id, tag]}
  - drop_constraint: {name: items_key, table: items, type: primary_key}
downgrade:
  - create_primary_key: {name: items_key, table: items, columns: [id]}
  - drop_constraint: {name: pk_tags, table: tags, type: primary_key}
  - alter_column: {table: tags, name: item_id, nullable: true}
  - alter_column: {table: tags, name: tag, nullable: true}
  - drop_constraint: {name: runs_by_attempt, table: runs, type: primary_key}
  - create_primary_key: {name: run_pk, table: runs, columns: [id, attempt]}
)yaml";

// One table shaped per dialect: a CHECK on SQLite only, a column of another type on each, a
// statement only PostgreSQL understands.
const char* kPerDialect = R"yaml(revision: aaaa10000003
down_revision: aaaa10000002
message: per dialect
upgrade:
  - create_check_constraint:
      {name: id_positive, table: runs, condition: "id > 0", dialects: [sqlite]}
  - add_column:
      table: runs
      column: {name: payload, type: text, index: true}
      dialects: [sqlite]
  - add_column: {table: runs, column: {name: payload, type: json}, dialects: postgres}
  - execute: {sql: "COMMENT ON TABLE runs IS 'per dialect'", dialects: [postgresql]}
downgrade:
  - drop_column: {table: runs, name: payload, dialects: [postgresql]}
  - drop_index: {name: ix_runs_payload, table: runs, dialects: [sqlite]}
  - drop_column: {table: runs, name: payload, dialects: [sqlite]}
  - drop_constraint: {name: ck_runs_id_positive, table: runs, type: check, dialects: [sqlite]}
)yaml";

class NewKeys : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::create_directories(dir() / "migrations" / "versions");
    write("20250101_0000_aaaa10000001_keys.yaml", kKeys);
    write("20250102_0000_aaaa10000002_rekey.yaml", kRekey);
    write("20250103_0000_aaaa10000003_per_dialect.yaml", kPerDialect);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir() / "migrations" / "versions" / name) << text;
  }
  ScriptDirectory scripts() { return ScriptDirectory::load(dir() / "migrations"); }
  const Dialect& dialect() const { return Dialect::of(backend()); }
  const Dialect& other() const {
    return Dialect::of(is_sqlite() ? Backend::postgresql : Backend::sqlite);
  }

  // Every table as reflected, and the rows of runs and tags.
  struct Snapshot {
    std::vector<Table> tables;
    std::vector<std::string> rows;
  };
  Snapshot snapshot() {
    auto engine = make_engine();
    Snapshot s{Inspector(engine).tables(), {}};
    auto conn = engine.connect();
    for (const char* sql :
         {"SELECT CAST(id AS TEXT) || '/' || CAST(attempt AS TEXT) || '/' || note FROM runs "
          "ORDER BY id, attempt",
          "SELECT CAST(item_id AS TEXT) || '/' || tag FROM tags ORDER BY tag"}) {
      for (const auto& row : conn.execute(sql)) s.rows.push_back(row.get<std::string>(0));
    }
    return s;
  }
  void expect_same(const Snapshot& actual, const Snapshot& expected, std::string_view what) {
    ASSERT_EQ(actual.tables.size(), expected.tables.size()) << what;
    for (std::size_t i = 0; i < expected.tables.size(); ++i) {
      EXPECT_EQ(describe_difference(expected.tables[i], actual.tables[i]), "")
          << what << ": " << expected.tables[i].name;
    }
    EXPECT_EQ(actual.rows, expected.rows) << what;
  }
  // The tables replayed from the revisions, against the database's.
  void expect_replayed(const std::vector<std::string>& heads) {
    auto s = scripts();
    SchemaState replayed = replay(s.graph(), heads, dialect());
    auto engine = make_engine();
    for (const auto& [name, table] : replayed.tables()) {
      EXPECT_EQ(describe_difference(table, Inspector(engine).table(name)), "") << name;
    }
  }
  void reset() {
    if (is_sqlite()) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(dir() / ("test.db" + std::string(suffix)));
      }
      return;
    }
    make_engine().connect().execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
  }
  void run_online(std::string_view target) {
    auto s = scripts();
    auto engine = make_engine();
    Runner(engine, s).upgrade(target);
  }
  void run_offline(bool upgrade, std::string_view range) {
    auto script = offline_script(scripts(), dialect(), upgrade, range);
    make_engine().connect().execute_script(script);
  }
};

TEST_P(NewKeys, OnlineRunsUpDownAndUpToTheSameSchema) {
  auto s = scripts();
  auto engine = make_engine();
  Runner runner(engine, s);
  runner.upgrade("aaaa10000001");
  Snapshot before = snapshot();
  EXPECT_EQ(Inspector(engine).table("runs").primary_key, (PrimaryKey{"run_pk", {"id", "attempt"}}));
  runner.upgrade("head");
  Snapshot first = snapshot();
  expect_replayed({"aaaa10000003"});
  Table runs = Inspector(engine).table("runs");
  EXPECT_EQ(runs.primary_key, (PrimaryKey{"runs_by_attempt", {"attempt", "id"}}));
  EXPECT_FALSE(Inspector(engine).table("items").primary_key);
  EXPECT_EQ(first.rows, before.rows);  // the rebuilds kept every row
  EXPECT_EQ(first.rows.size(), 5u);
  EXPECT_EQ(runs.column("payload")->type, is_sqlite() ? Type::text() : Type::json());
  EXPECT_EQ(runs.check_constraints.size(), is_sqlite() ? 1u : 0u);
  EXPECT_EQ(runs.indexes.size(), is_sqlite() ? 1u : 0u);
  if (!is_sqlite()) {
    EXPECT_EQ(engine.connect()
                  .execute("SELECT obj_description('runs'::regclass, 'pg_class')")
                  .scalar<std::string>(),
              "per dialect");
  }
  // The other dialect replays another table.
  EXPECT_NE(describe_difference(*replay(s.graph(), {"aaaa10000003"}, other()).table("runs"), runs),
            "");
  runner.downgrade("aaaa10000001");
  expect_same(snapshot(), before, "after the downgrade");
  runner.downgrade("base");
  EXPECT_EQ(Inspector(engine).table_names(),
            (std::vector<std::string>{"strata_history", "strata_version"}));
  runner.upgrade("head");
  expect_same(snapshot(), first, "upgraded again");
}

TEST_P(NewKeys, OfflineScriptsBuildWhatTheOnlineRunBuilds) {
  auto sqlite = offline_script(scripts(), Dialect::of(Backend::sqlite), true, "head");
  auto postgresql = offline_script(scripts(), Dialect::of(Backend::postgresql), true, "head");
  EXPECT_NE(sqlite.find("CONSTRAINT ck_runs_id_positive CHECK"), std::string::npos) << sqlite;
  EXPECT_EQ(sqlite.find("COMMENT ON"), std::string::npos) << sqlite;
  EXPECT_EQ(postgresql.find("ck_runs_id_positive"), std::string::npos) << postgresql;
  EXPECT_NE(postgresql.find("ADD COLUMN payload JSONB"), std::string::npos) << postgresql;
  run_online("head");
  Snapshot online = snapshot();
  reset();
  run_offline(true, "head");
  expect_same(snapshot(), online, "offline upgrade");
  reset();
  run_online("aaaa10000001");
  Snapshot online_first = snapshot();
  reset();
  run_offline(true, "head");
  run_offline(false, "head:aaaa10000001");
  expect_same(snapshot(), online_first, "offline downgrade");
}

// On each dialect, the hand-written downgrade is the inverse of what the upgrade does there.
TEST_P(NewKeys, TheDowngradeIsTheInverseOfTheUpgrade) {
  auto s = scripts();
  auto here = [&](const std::vector<Operation>& ops) {
    std::vector<Operation> out;
    for (const auto& op : ops) {
      if (runs_on(op, dialect().name()) && !std::holds_alternative<Execute>(op)) out.push_back(op);
    }
    return out;
  };
  for (auto [id, below] :
       {std::pair{"aaaa10000002", "aaaa10000001"}, std::pair{"aaaa10000003", "aaaa10000002"}}) {
    const Revision& r = s.graph().get(id);
    EXPECT_EQ(inverse(here(r.upgrade), replay(s.graph(), {below}, dialect())), here(r.downgrade))
        << id;
  }
  // Worked out on the other dialect's schema, an operation of this one has no inverse.
  const Revision& per_dialect = s.graph().get("aaaa10000003");
  EXPECT_THROW(inverse(here(per_dialect.upgrade), replay(s.graph(), {"aaaa10000002"}, other())),
               MigrationError);
}

STRATA_ON_BOTH_BACKENDS(NewKeys);

}  // namespace
}  // namespace strata::test
