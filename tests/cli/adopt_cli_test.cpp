// Adopting a database made before strata, as a team does it from the docs: `revision
// --baseline` reads the schema into a first revision and stamps the database; later revisions
// alter the adopted tables; the baseline alone makes the same schema on an empty database.
#include <fstream>
#include <iterator>
#include <strata/dialect/inspector.hpp>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {
namespace fs = std::filesystem;

class AdoptCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cli_.emplace(dir(), url());
    engine_.emplace(make_engine());
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }
  Outcome strata(const std::string& args) const { return cli_->run(args); }
  void run(const std::string& sql) { engine_->connect().execute_script(sql); }
  std::int64_t count(const std::string& sql) {
    return engine_->connect().execute(sql).scalar<std::int64_t>();
  }
  std::vector<fs::path> revision_files() {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir() / "db" / "versions")) {
      if (e.path().extension() == ".yaml") out.push_back(e.path());
    }
    return out;
  }

  // Two tables joined by a foreign key, an expression index, a view and a trigger.
  void make_shop() {
    run("CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE)");
    // A bare NUMERIC, and a column the database computes (VIRTUAL as well on SQLite).
    run(std::string("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
                    "REFERENCES customers (id), total NUMERIC(10, 2) NOT NULL DEFAULT 0 "
                    "CONSTRAINT total_not_negative CHECK (total >= 0), weight NUMERIC, "
                    "cents BIGINT GENERATED ALWAYS AS (CAST(total * 100 AS BIGINT)) STORED") +
        (is_sqlite() ? ", tag TEXT AS ('#' || id))" : ")"));
    run("CREATE INDEX ix_orders_customer ON orders (customer_id)");
    run("CREATE INDEX ix_customers_email_lower ON customers (lower(email))");
    run("CREATE INDEX ix_orders_total_desc ON orders (total DESC)");
    run("CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100");
    run("CREATE TABLE order_log (order_id INTEGER)");
    if (is_sqlite()) {
      run("CREATE TRIGGER order_logged AFTER INSERT ON orders BEGIN "
          "INSERT INTO order_log VALUES (NEW.id); END");
    } else {
      run("CREATE FUNCTION log_order() RETURNS trigger AS $$ BEGIN "
          "INSERT INTO order_log VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql");
      run("CREATE TRIGGER order_logged AFTER INSERT ON orders FOR EACH ROW "
          "EXECUTE FUNCTION log_order()");
    }
    run("INSERT INTO customers (id, email) VALUES (1, 'Ann@example.com'), (2, 'bo@example.com')");
    run("INSERT INTO orders (id, customer_id, total) VALUES (1, 1, 150), (2, 2, 20)");
  }

  // Everything make_shop made works as before.
  void shop_works(std::int64_t orders) {
    EXPECT_EQ(count("SELECT count(*) FROM orders"), orders);
    EXPECT_EQ(count("SELECT count(*) FROM big_orders"), 1);
    EXPECT_EQ(count("SELECT cents FROM orders WHERE id = 1"), 15000);
    if (is_sqlite()) {
      EXPECT_EQ(count("SELECT count(*) FROM orders WHERE tag = '#1'"), 1);
    }
    run("DELETE FROM order_log");
    run("INSERT INTO orders (id, customer_id, total) VALUES (99, 1, 5)");
    EXPECT_EQ(count("SELECT count(*) FROM order_log WHERE order_id = 99"), 1);
    run("DELETE FROM orders WHERE id = 99");
    EXPECT_THROW(run("INSERT INTO orders (id, customer_id, total) VALUES (98, 1, -1)"),
                 DatabaseError);
    EXPECT_THROW(run("INSERT INTO customers (id, email) VALUES (3, 'bo@example.com')"),
                 DatabaseError);
  }

  std::optional<CliRunner> cli_;
  std::optional<Engine> engine_;
};

TEST_P(AdoptCli, BaselineStampsAndLaterRevisionsAlterTheAdoptedTables) {
  make_shop();
  // Coming from Alembic: its bookkeeping is neither schema to adopt nor touched.
  run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
  run("INSERT INTO alembic_version VALUES ('1975ea83b712')");
  auto before = Inspector(*engine_).tables();
  auto made = strata("revision --baseline -m baseline --rev-id ba5e11112222");
  ASSERT_EQ(made.status, 0) << made.err;
  EXPECT_NE(made.out.find("ba5e11112222_baseline.yaml"), std::string::npos) << made.out;
  std::ifstream file(made.out.substr(0, made.out.size() - 1));
  std::string text((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(text.find("alembic_version"), std::string::npos) << text;
  // SQLite's inline constraints have no name: the convention names them (the file then uses
  // the column shorthands).
  EXPECT_EQ(text.find("name: \"\""), std::string::npos) << text;
  EXPECT_EQ(strata("current").out, "ba5e11112222 (head)\n");
  auto nothing = strata("upgrade head");
  EXPECT_EQ(nothing.status, 0) << nothing.err;
  EXPECT_EQ(nothing.out.find("Running"), std::string::npos) << nothing.out;

  cli_->write("20990101_0000_a17e11112222_note.yaml", R"yaml(revision: a17e11112222
down_revision: ba5e11112222
message: order notes
upgrade:
  - add_column: {table: orders, column: {name: note, type: text}}
  - alter_column: {table: orders, name: total, nullable: true}
downgrade:
  - alter_column: {table: orders, name: total, nullable: false}
  - drop_column: {table: orders, name: note}
)yaml");
  auto up = strata("upgrade head");
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_TRUE(Inspector(*engine_).table("orders").column("total")->nullable);
  shop_works(2);
  auto down = strata("downgrade -1");
  ASSERT_EQ(down.status, 0) << down.err;
  shop_works(2);
  auto after = Inspector(*engine_).tables();
  ASSERT_EQ(after.size(), before.size() + 2);  // and strata's two tables
  EXPECT_EQ(count("SELECT count(*) FROM alembic_version WHERE version_num = '1975ea83b712'"), 1);
}

TEST_P(AdoptCli, TheBaselineMakesTheSameSchemaOnAnEmptyDatabase) {
  make_shop();
  auto before = Inspector(*engine_).tables();
  ASSERT_EQ(strata("revision --baseline -m baseline").status, 0);
  auto gone = strata("downgrade base");
  ASSERT_EQ(gone.status, 0) << gone.err;
  auto left = Inspector(*engine_).table_names();
  EXPECT_EQ(left, (std::vector<std::string>{"strata_history", "strata_version"}));
  EXPECT_TRUE(Inspector(*engine_).view_names().empty());
  auto up = strata("upgrade head");
  ASSERT_EQ(up.status, 0) << up.err;
  std::string desc =
      is_sqlite() ? "SELECT sql FROM sqlite_schema WHERE name = 'ix_orders_total_desc'"
                  : "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_orders_total_desc'";
  EXPECT_NE(engine_->connect().execute(desc).scalar<std::string>().find("DESC"), std::string::npos);
  for (const auto& t : before) {
    Table now = Inspector(*engine_).table(t.name);
    // Constraints the database named itself may come back under strata's names: counted.
    EXPECT_EQ(now.columns, t.columns) << t.name;
    EXPECT_EQ(now.indexes.size(), t.indexes.size()) << t.name;
    EXPECT_EQ(now.foreign_keys.size(), t.foreign_keys.size()) << t.name;
    EXPECT_EQ(now.check_constraints.size(), t.check_constraints.size()) << t.name;
    EXPECT_EQ(now.unique_constraints.size(), t.unique_constraints.size()) << t.name;
  }
  run("INSERT INTO customers (id, email) VALUES (1, 'a@example.com'), (2, 'bo@example.com')");
  run("INSERT INTO orders (id, customer_id, total) VALUES (1, 1, 150), (2, 2, 20)");
  shop_works(2);
}

TEST_P(AdoptCli, BaselineIsRefusedOverAHistoryOrAMigratedDatabase) {
  make_shop();
  ASSERT_EQ(strata("revision --baseline -m first").status, 0);
  auto files = revision_files();
  auto again = strata("revision --baseline -m second");
  EXPECT_EQ(again.status, 2) << again.err;
  EXPECT_NE(again.err.find("has revisions already"), std::string::npos) << again.err;
  EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
  EXPECT_EQ(revision_files(), files);

  fs::remove(files.front());
  auto stamped = strata("revision --baseline -m third");
  EXPECT_EQ(stamped.status, 1) << stamped.err;
  EXPECT_NE(stamped.err.find("is at revision"), std::string::npos) << stamped.err;
  EXPECT_TRUE(revision_files().empty());
  auto both = strata("revision --baseline --autogenerate -m x");
  EXPECT_EQ(both.status, 2) << both.err;
  if (!is_sqlite()) return;
  auto typo = strata("--url sqlite:///typo/app.db revision --baseline -m x");
  EXPECT_EQ(typo.status, 1) << typo.err;
  EXPECT_NE(typo.err.find("no database at"), std::string::npos) << typo.err;
  EXPECT_FALSE(fs::exists(dir() / "typo"));
  EXPECT_TRUE(revision_files().empty());
}

// A column of a type no revision file can name stops the baseline in one line that names the
// column, and leaves no file behind to break the commands after it.
TEST_P(AdoptCli, ABaselineThatCannotBeWrittenLeavesNoFile) {
  run(std::string("CREATE TABLE places (id INTEGER PRIMARY KEY, spot ") +
      (is_sqlite() ? "GEOMETRY" : "point") + ")");
  auto made = strata("revision --baseline -m baseline");
  EXPECT_EQ(made.status, 1) << made.err;
  EXPECT_NE(made.err.find("column places.spot"), std::string::npos) << made.err;
  EXPECT_EQ(std::count(made.err.begin(), made.err.end(), '\n'), 1) << made.err;
  EXPECT_TRUE(revision_files().empty());
  auto history = strata("history");
  EXPECT_EQ(history.status, 0) << history.err;
  EXPECT_EQ(strata("current").status, 0);
}

// A check the database named otherwise than the convention would keeps its name: the baseline
// writes it final, an empty database gets it under that name, and a later revision drops it
// by that name and brings it back.
TEST_P(AdoptCli, ACheckKeepsTheNameTheDatabaseGaveIt) {
  make_shop();
  ASSERT_EQ(strata("revision --baseline -m baseline --rev-id ba5e11112222").status, 0);
  auto files = revision_files();
  ASSERT_EQ(files.size(), 1u);
  std::ifstream in(files.front());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto at = text.find("{name: total_not_negative, condition: ");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_NE(text.substr(at, text.find('\n', at) - at).find(", final: true}"), std::string::npos)
      << text;
  ASSERT_EQ(strata("downgrade base").status, 0);
  auto up = strata("upgrade head");
  ASSERT_EQ(up.status, 0) << up.err;
  auto checks = [&] {
    std::vector<std::string> names;
    for (const auto& c : Inspector(*engine_).table("orders").check_constraints) {
      names.push_back(c.name);
    }
    return names;
  };
  EXPECT_EQ(checks(), std::vector<std::string>{"total_not_negative"});

  cli_->write("20990101_0000_d20911112222_drop.yaml", R"yaml(revision: d20911112222
down_revision: ba5e11112222
message: negative totals
upgrade:
  - drop_constraint: {name: total_not_negative, table: orders, type: check}
downgrade:
  - create_check_constraint:
      {name: total_not_negative, table: orders, condition: "total >= 0", final: true}
)yaml");
  auto dropped = strata("upgrade head");
  ASSERT_EQ(dropped.status, 0) << dropped.err;
  EXPECT_TRUE(checks().empty());
  run("INSERT INTO customers (id, email) VALUES (1, 'a@example.com')");
  run("INSERT INTO orders (id, customer_id, total) VALUES (1, 1, -1)");
  run("DELETE FROM orders");
  auto back = strata("downgrade -1");
  ASSERT_EQ(back.status, 0) << back.err;
  EXPECT_EQ(checks(), std::vector<std::string>{"total_not_negative"});
  EXPECT_THROW(run("INSERT INTO orders (id, customer_id, total) VALUES (1, 1, -1)"), DatabaseError);
}

// A trigger calling a built-in function takes the trigger, not the function: it is not the
// schema's to make or drop.
TEST_P(AdoptCli, ABuiltInTriggerFunctionIsNotCopied) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite triggers have no separate functions";
  run("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
  run("CREATE TRIGGER notes_unchanged BEFORE UPDATE ON notes FOR EACH ROW "
      "EXECUTE FUNCTION suppress_redundant_updates_trigger()");
  auto made = strata("revision --baseline -m baseline");
  ASSERT_EQ(made.status, 0) << made.err;
  std::ifstream file(made.out.substr(0, made.out.size() - 1));
  std::string text((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(text.find("CREATE OR REPLACE FUNCTION"), std::string::npos) << text;
  EXPECT_NE(text.find("CREATE TRIGGER notes_unchanged"), std::string::npos) << text;
  auto down = strata("downgrade base");
  ASSERT_EQ(down.status, 0) << down.err;
  auto up = strata("upgrade head");
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(count("SELECT count(*) FROM pg_trigger WHERE tgname = 'notes_unchanged'"), 1);
}

STRATA_ON_BOTH_BACKENDS(AdoptCli);

}  // namespace
}  // namespace strata::test
