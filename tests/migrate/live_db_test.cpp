// Online runs start from the database as it is, on both backends: a table made before strata
// adopted through an empty baseline, drift made by hand and repaired by a revision, a table
// made by `execute` altered by a later revision, and an offline script refusing what only the
// database knows.
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/offline.hpp>
#include <strata/migrate/runner.hpp>

#include "migrations_fixture.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;

const char* kBaseline = R"yaml(revision: ba5e00000001
down_revision: null
message: baseline
upgrade: []
downgrade: []
)yaml";

// On SQLite the type change rebuilds the adopted table.
const char* kAlterLegacy = R"yaml(revision: a17e00000002
down_revision: ba5e00000001
message: alter legacy
upgrade:
  - add_column: {table: legacy, column: {name: note, type: text}}
  - alter_column: {table: legacy, name: name, type: string(200)}
downgrade:
  - alter_column: {table: legacy, name: name, type: string(100)}
  - drop_column: {table: legacy, name: note}
)yaml";

const char* kItems = R"yaml(revision: 17e500000001
down_revision: null
message: items
upgrade:
  - create_table:
      name: items
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: string(200), nullable: false}
downgrade:
  - drop_table: {name: items}
)yaml";

// What autogenerate writes for drift made by hand: the column and the table go.
const char* kRepair = R"yaml(revision: 4e9a00000002
down_revision: 17e500000001
message: remove drift
upgrade:
  - drop_column: {table: items, name: stray}
  - drop_table: {name: stray_table}
downgrade:
  - create_table:
      name: stray_table
      columns:
        - {name: id, type: integer, primary_key: true}
  - add_column: {table: items, column: {name: stray, type: integer}}
)yaml";

class LiveShapeTest : public MigrationsTest {
 protected:
  Table table(const std::string& name) { return Inspector(*engine_).table(name); }
  void make_legacy();
};

// A table, an index, a view, a trigger and 100,000 rows, made without strata. The view leaves
// out the column whose type changes: PostgreSQL refuses ALTER COLUMN TYPE under a view.
void LiveShapeTest::make_legacy() {
  bool sqlite = is_sqlite();
  run("CREATE TABLE legacy (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, "
      "qty INTEGER DEFAULT 0 CHECK (qty >= 0))");
  run("CREATE INDEX ix_legacy_name ON legacy (name)");
  run("CREATE VIEW legacy_stock AS SELECT id, qty FROM legacy WHERE qty > 0");
  run("CREATE TABLE legacy_audit (id INTEGER)");
  if (sqlite) {
    run("CREATE TRIGGER legacy_audit AFTER INSERT ON legacy BEGIN "
        "INSERT INTO legacy_audit VALUES (NEW.id); END");
    run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
        "INSERT INTO legacy (id, name, qty) SELECT i, 'name ' || i, i % 7 FROM n");
  } else {
    run("CREATE FUNCTION legacy_audit_row() RETURNS trigger AS $$ BEGIN "
        "INSERT INTO legacy_audit VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql");
    run("CREATE TRIGGER legacy_audit AFTER INSERT ON legacy FOR EACH ROW "
        "EXECUTE FUNCTION legacy_audit_row()");
    run("INSERT INTO legacy (id, name, qty) SELECT i, 'name ' || i, i % 7 "
        "FROM generate_series(1, 100000) AS i");
  }
  run("DELETE FROM legacy_audit");
}

TEST_P(LiveShapeTest, AdoptsATableMadeBeforeStrata) {
  make_legacy();
  write("20250101_0000_ba5e00000001_baseline.yaml", kBaseline);
  write("20250102_0000_a17e00000002_alter.yaml", kAlterLegacy);
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.stamp("ba5e00000001");

  auto intact = [&](bool with_note) {
    EXPECT_EQ(count("SELECT count(*) FROM legacy"), 100000);
    EXPECT_EQ(count("SELECT sum(qty) FROM legacy"), 300000);
    EXPECT_EQ(count("SELECT count(*) FROM legacy_stock"), 85715);
    Table t = table("legacy");
    EXPECT_EQ(t.column("note") != nullptr, with_note);
    ASSERT_EQ(t.indexes.size(), 1u);
    EXPECT_EQ(t.indexes[0].name, "ix_legacy_name");
    EXPECT_EQ(t.check_constraints.size(), 1u);
    EXPECT_THROW(run("INSERT INTO legacy (id, name, qty) VALUES (0, 'x', -1)"), DatabaseError);
    run("INSERT INTO legacy (id, name) VALUES (" + std::to_string(200000 + with_note) + ", 'new')");
    EXPECT_EQ(count("SELECT count(*) FROM legacy_audit"), 1);
    run("DELETE FROM legacy WHERE id > 100000");
    run("DELETE FROM legacy_audit");
  };
  ASSERT_EQ(runner.upgrade("heads").size(), 1u);
  EXPECT_EQ(table("legacy").column("name")->type, Type::string(200));
  intact(true);
  ASSERT_EQ(runner.downgrade("ba5e00000001").size(), 1u);
  EXPECT_EQ(table("legacy").column("name")->type, Type::string(100));
  intact(false);
}

TEST_P(LiveShapeTest, DriftMadeByHandIsRepairedAndRestored) {
  write("20250101_0000_17e500000001_items.yaml", kItems);
  auto s = scripts();
  Runner(*engine_, s).upgrade("heads");
  run("INSERT INTO items (id, title) VALUES (1, 'kept')");
  run("ALTER TABLE items ADD COLUMN stray INTEGER");
  run("CREATE TABLE stray_table (id INTEGER PRIMARY KEY)");
  write("20250102_0000_4e9a00000002_repair.yaml", kRepair);
  s = scripts();
  Runner runner(*engine_, s);
  ASSERT_EQ(runner.upgrade("heads").size(), 1u);
  EXPECT_EQ(table("items").column("stray"), nullptr);
  EXPECT_FALSE(Inspector(*engine_).has_table("stray_table"));
  ASSERT_EQ(runner.downgrade("-1").size(), 1u);
  EXPECT_NE(table("items").column("stray"), nullptr);
  EXPECT_TRUE(Inspector(*engine_).has_table("stray_table"));
  ASSERT_EQ(runner.upgrade("heads").size(), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM items WHERE title = 'kept'"), 1);
}

TEST_P(LiveShapeTest, OfflineScriptRefusesWhatOnlyTheDatabaseKnows) {
  write("20250101_0000_17e500000001_items.yaml", kItems);
  write("20250102_0000_4e9a00000002_repair.yaml", kRepair);
  try {
    offline_script(scripts(), Dialect::of(backend()), true, "heads");
    FAIL() << "an offline script over drift must refuse";
  } catch (const MigrationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("4e9a00000002_repair.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find("items.stray"), std::string::npos) << message;
    EXPECT_NE(message.find("--baseline"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// A table made by raw SQL in one revision and altered by the next, in one run.
TEST_P(LiveShapeTest, TableMadeByExecuteIsAlteredLater) {
  write("20250101_0000_e8ec00000001_raw.yaml", R"yaml(revision: e8ec00000001
down_revision: null
message: raw
upgrade:
  - execute: {sql: "CREATE TABLE raw (id INTEGER PRIMARY KEY, v VARCHAR(10))"}
  - execute: {sql: "INSERT INTO raw (id, v) VALUES (1, 'one')"}
downgrade:
  - execute: {sql: "DROP TABLE raw"}
)yaml");
  write("20250102_0000_a17e00000002_alter.yaml", R"yaml(revision: a17e00000002
down_revision: e8ec00000001
message: alter raw
upgrade:
  - alter_column: {table: raw, name: v, type: text, nullable: false}
  - add_column: {table: raw, column: {name: w, type: integer, server_default: 7}}
downgrade:
  - drop_column: {table: raw, name: w}
  - alter_column: {table: raw, name: v, type: string(10), nullable: true}
)yaml");
  auto s = scripts();
  Runner runner(*engine_, s);
  ASSERT_EQ(runner.upgrade("heads").size(), 2u);
  Table t = table("raw");
  EXPECT_EQ(t.column("v")->type, Type::text());
  EXPECT_FALSE(t.column("v")->nullable);
  EXPECT_EQ(count("SELECT w FROM raw WHERE v = 'one'"), 7);
  ASSERT_EQ(runner.downgrade("-1").size(), 1u);
  EXPECT_EQ(table("raw").column("w"), nullptr);
  EXPECT_EQ(count("SELECT count(*) FROM raw WHERE v = 'one'"), 1);
}

// Tables read at the start of a run are read again once a step renames the table they refer
// to: SQLite rewrote the child's REFERENCES, and a rebuild must not write the old name back.
TEST_P(LiveShapeTest, AChildReadBeforeItsParentIsRenamedIsReadAgain) {
  write("20250101_0000_17e500000001_items.yaml", kItems);
  write("20250102_0000_0de500000002_orders.yaml", R"yaml(revision: 0de500000002
down_revision: 17e500000001
message: orders
upgrade:
  - create_table:
      name: orders
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: item_id, type: biginteger, nullable: false, foreign_key: {references: items.id}}
        - {name: qty, type: integer, nullable: false}
downgrade:
  - drop_table: {name: orders}
)yaml");
  write("20250103_0000_4e4a00000003_rename.yaml", R"yaml(revision: 4e4a00000003
down_revision: 0de500000002
message: rename
upgrade:
  - rename_table: {name: items, new_name: products}
downgrade:
  - rename_table: {name: products, new_name: items}
)yaml");
  write("20250104_0000_c4ec00000004_check.yaml", R"yaml(revision: c4ec00000004
down_revision: 4e4a00000003
message: positive
upgrade:
  - create_check_constraint: {name: positive, table: orders, condition: "qty > 0"}
downgrade:
  - drop_constraint: {name: ck_orders_positive, table: orders, type: check}
)yaml");
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.upgrade("0de500000002");
  run("INSERT INTO items (id, title) VALUES (1, 'one')");
  run("INSERT INTO orders (id, item_id, qty) VALUES (1, 1, 2)");
  ASSERT_EQ(runner.upgrade("heads").size(), 2u);
  ASSERT_EQ(table("orders").foreign_keys.size(), 1u);
  EXPECT_EQ(table("orders").foreign_keys[0].referred_table, "products");
  run("INSERT INTO orders (id, item_id, qty) VALUES (2, 1, 3)");
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 2);
}

// An index made through execute with a key reflection cannot write back (DESC) keeps it
// through a rebuild of its table.
TEST_P(LiveShapeTest, AnIndexOnlyTheDatabaseHasKeepsItsOwnWords) {
  write("20250101_0000_17e500000001_items.yaml", kItems);
  write("20250102_0000_de5c00000002_desc.yaml", R"yaml(revision: de5c00000002
down_revision: 17e500000001
message: newest first
upgrade:
  - execute: {sql: "CREATE INDEX ix_items_title_desc ON items (title DESC)"}
downgrade:
  - execute: {sql: "DROP INDEX ix_items_title_desc"}
)yaml");
  write("20250103_0000_a11e00000003_nullable.yaml", R"yaml(revision: a11e00000003
down_revision: de5c00000002
message: optional title
upgrade:
  - alter_column: {table: items, name: title, nullable: true}
downgrade:
  - alter_column: {table: items, name: title, nullable: false}
)yaml");
  auto s = scripts();
  Runner runner(*engine_, s);
  runner.upgrade("de5c00000002");
  ASSERT_EQ(runner.upgrade("heads").size(), 1u);
  std::string sql = is_sqlite() ? "SELECT sql FROM sqlite_schema WHERE name = 'ix_items_title_desc'"
                                : "SELECT indexdef FROM pg_indexes WHERE indexname = "
                                  "'ix_items_title_desc'";
  EXPECT_NE(engine_->connect().execute(sql).scalar<std::string>().find("DESC"), std::string::npos);
}

STRATA_ON_BOTH_BACKENDS(LiveShapeTest);

}  // namespace
}  // namespace strata::test
