// Generated columns through migrations on both backends: create_table and add_column make them
// (on SQLite a STORED one is added by a table rebuild, which computes it for the rows there),
// a rebuild for another change carries them, the downgrade drops them, offline scripts build
// the same tables, and the replayed schema matches the database's.
#include <fmt/format.h>

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

const char* kLines = R"yaml(revision: 9e0000000001
down_revision: null
message: lines
upgrade:
  - create_table:
      name: lines
      columns:
        - {name: id, type: biginteger, primary_key: true, autoincrement: false}
        - {name: price, type: double, nullable: false}
        - {name: qty, type: integer, nullable: false}
        - {name: total, type: double, generated: {sql: "price * qty"}}
  - bulk_insert:
      table: lines
      rows: [{id: 1, price: 2.5, qty: 4}, {id: 2, price: 1, qty: 3}]
downgrade:
  - drop_table: {name: lines}
)yaml";

// A STORED column added (a rebuild on SQLite), a VIRTUAL one on SQLite only, and a change that
// rebuilds the table on SQLite with its generated columns in it.
const char* kMore = R"yaml(revision: 9e0000000002
down_revision: 9e0000000001
message: more
upgrade:
  - add_column:
      table: lines
      column: {name: doubled, type: integer, generated: {sql: "qty * 2", stored: true}}
  - add_column:
      table: lines
      column: {name: label, type: text, generated: {sql: "'#' || id", stored: false}}
      dialects: [sqlite]
  - alter_column: {table: lines, name: price, nullable: true}
downgrade:
  - alter_column: {table: lines, name: price, nullable: false}
  - drop_column: {table: lines, name: label, dialects: [sqlite]}
  - drop_column: {table: lines, name: doubled}
)yaml";

class GeneratedColumns : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fs::create_directories(dir() / "migrations" / "versions");
    write("20250101_0000_9e0000000001_lines.yaml", kLines);
    write("20250102_0000_9e0000000002_more.yaml", kMore);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir() / "migrations" / "versions" / name) << text;
  }
  ScriptDirectory scripts() { return ScriptDirectory::load(dir() / "migrations"); }
  const Dialect& dialect() const { return Dialect::of(backend()); }
  std::vector<std::string> rows(const std::string& columns) {
    std::vector<std::string> out;
    auto engine = make_engine();
    for (const auto& row :
         engine.connect().execute("SELECT " + columns + " FROM lines ORDER BY id")) {
      std::string line;
      for (int i = 0; i < row.size(); ++i) {
        Value v = row.get<Value>(i);
        std::string text = v.kind() == ValueKind::text      ? v.as_text()
                           : v.kind() == ValueKind::integer ? fmt::format("{}", v.as_int())
                                                            : fmt::format("{}", v.as_double());
        line += (i ? "/" : "") + text;
      }
      out.push_back(line);
    }
    return out;
  }
  void expect_replayed(const std::vector<std::string>& heads) {
    auto s = scripts();
    SchemaState replayed = replay(s.graph(), heads, dialect());
    auto engine = make_engine();
    EXPECT_EQ(describe_difference(*replayed.table("lines"), Inspector(engine).table("lines")), "");
  }
};

TEST_P(GeneratedColumns, MadeAddedCarriedAndDroppedOnline) {
  auto s = scripts();
  auto engine = make_engine();
  Runner runner(engine, s);
  runner.upgrade("9e0000000001");
  EXPECT_EQ(rows("id, total"), (std::vector<std::string>{"1/10", "2/3"}));
  expect_replayed({"9e0000000001"});
  runner.upgrade("head");
  expect_replayed({"9e0000000002"});
  Table lines = Inspector(engine).table("lines");
  ASSERT_TRUE(lines.column("total")->generated);
  EXPECT_TRUE(lines.column("total")->generated->stored);
  ASSERT_TRUE(lines.column("doubled")->generated);
  EXPECT_EQ(lines.column("doubled")->generated->expression.find("qty"), is_sqlite() ? 0u : 1u);
  EXPECT_TRUE(lines.column("price")->nullable);
  engine.connect().execute("INSERT INTO lines (id, price, qty) VALUES (3, 0.5, 10)");
  EXPECT_EQ(rows("id, total, doubled"), (std::vector<std::string>{"1/10/8", "2/3/6", "3/5/20"}));
  if (is_sqlite()) {
    EXPECT_FALSE(lines.column("label")->generated->stored);
    EXPECT_EQ(rows("label"), (std::vector<std::string>{"#1", "#2", "#3"}));
  }
  EXPECT_THROW(engine.connect().execute("UPDATE lines SET total = 1 WHERE id = 1"), DatabaseError);
  runner.downgrade("9e0000000001");
  expect_replayed({"9e0000000001"});
  EXPECT_FALSE(Inspector(engine).table("lines").column("doubled"));
  EXPECT_EQ(rows("id, total"), (std::vector<std::string>{"1/10", "2/3", "3/5"}));
}

TEST_P(GeneratedColumns, OfflineScriptsBuildWhatTheOnlineRunBuilds) {
  auto sqlite = offline_script(scripts(), Dialect::of(Backend::sqlite), true, "head");
  auto postgresql = offline_script(scripts(), Dialect::of(Backend::postgresql), true, "head");
  for (const auto* script : {&sqlite, &postgresql}) {
    EXPECT_NE(script->find("total DOUBLE PRECISION GENERATED ALWAYS AS (price * qty) STORED"),
              std::string::npos)
        << *script;
  }
  EXPECT_NE(postgresql.find("ADD COLUMN doubled INTEGER GENERATED ALWAYS AS (qty * 2) STORED"),
            std::string::npos)
      << postgresql;
  EXPECT_EQ(postgresql.find("label"), std::string::npos) << postgresql;
  EXPECT_NE(sqlite.find("label TEXT GENERATED ALWAYS AS ('#' || id) VIRTUAL"), std::string::npos)
      << sqlite;
  make_engine().connect().execute_script(is_sqlite() ? sqlite : postgresql);
  expect_replayed({"9e0000000002"});
  EXPECT_EQ(rows("id, total, doubled"), (std::vector<std::string>{"1/10/8", "2/3/6"}));
}

// A column a generated one uses is renamed: both databases rewrite the expression, and so does
// the replay, so that a later SQLite rebuild makes the column again from the new name.
TEST_P(GeneratedColumns, ARenameRewritesTheExpressionsThatUseTheColumn) {
  write("20250103_0000_9e0000000003_rename.yaml", R"yaml(revision: 9e0000000003
down_revision: 9e0000000002
message: rename
upgrade:
  - alter_column: {table: lines, name: qty, new_name: quantity}
  - alter_column: {table: lines, name: price, nullable: false}
downgrade:
  - alter_column: {table: lines, name: price, nullable: true}
  - alter_column: {table: lines, name: quantity, new_name: qty}
)yaml");
  auto s = scripts();
  auto engine = make_engine();
  Runner runner(engine, s);
  runner.upgrade("head");
  expect_replayed({"9e0000000003"});
  Table lines = Inspector(engine).table("lines");
  const std::string expression = lines.column("total")->generated->expression;
  EXPECT_NE(expression.find("quantity"), std::string::npos) << expression;
  engine.connect().execute("UPDATE lines SET quantity = 5 WHERE id = 2");
  EXPECT_EQ(rows("id, total, doubled"), (std::vector<std::string>{"1/10/8", "2/5/10"}));
  runner.downgrade("9e0000000002");
  expect_replayed({"9e0000000002"});
  EXPECT_EQ(rows("id, total, doubled"), (std::vector<std::string>{"1/10/8", "2/5/10"}));
}

// PostgreSQL 15 has no VIRTUAL generated columns: the revision fails in one line that names the
// file and the column, before anything of it ran.
TEST_P(GeneratedColumns, AVirtualColumnOnPostgresqlIsRefusedNamingIt) {
  if (is_sqlite()) GTEST_SKIP() << "SQLite has VIRTUAL generated columns (the test above)";
  write("20250103_0000_9e0000000003_virtual.yaml", R"yaml(revision: 9e0000000003
down_revision: 9e0000000002
message: virtual
upgrade:
  - add_column:
      table: lines
      column: {name: half, type: double, generated: {sql: "price / 2", stored: false}}
downgrade:
  - drop_column: {table: lines, name: half}
)yaml");
  auto s = scripts();
  auto engine = make_engine();
  Runner runner(engine, s);
  runner.upgrade("9e0000000002");
  try {
    runner.upgrade("head");
    FAIL() << "a VIRTUAL column ran on PostgreSQL";
  } catch (const MigrationError& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    for (const char* part : {"9e0000000003", "lines.half", "VIRTUAL", "make it stored"}) {
      EXPECT_NE(what.find(part), std::string::npos) << what;
    }
  }
  EXPECT_EQ(runner.current(), std::vector<std::string>{"9e0000000002"});
  EXPECT_FALSE(Inspector(engine).table("lines").column("half"));
}

// A column a generated one computes from cannot be dropped on either database: the revision is
// refused in one line naming both columns, online before anything of it ran, and offline.
TEST_P(GeneratedColumns, DroppingAColumnAGeneratedOneUsesIsRefusedNamingBoth) {
  write("20250103_0000_9e0000000003_drop.yaml", R"yaml(revision: 9e0000000003
down_revision: 9e0000000002
message: drop
upgrade:
  - alter_column: {table: lines, name: price, nullable: false}
  - drop_column: {table: lines, name: qty}
downgrade:
  - add_column: {table: lines, column: {name: qty, type: integer}}
  - alter_column: {table: lines, name: price, nullable: true}
)yaml");
  auto s = scripts();
  auto engine = make_engine();
  Runner runner(engine, s);
  runner.upgrade("9e0000000002");
  auto expect_refusal = [](const std::string& what) {
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    for (const char* part : {"9e0000000003", "'lines.qty'", "'lines.total'", "drop that column"})
      EXPECT_NE(what.find(part), std::string::npos) << what;
  };
  try {
    runner.upgrade("head");
    ADD_FAILURE() << "a column a generated one uses was dropped";
  } catch (const MigrationError& e) {
    expect_refusal(e.what());
  }
  EXPECT_EQ(runner.current(), std::vector<std::string>{"9e0000000002"});
  Table lines = Inspector(engine).table("lines");
  EXPECT_TRUE(lines.column("qty"));
  EXPECT_TRUE(lines.column("price")->nullable);
  EXPECT_EQ(rows("id, total, doubled"), (std::vector<std::string>{"1/10/8", "2/3/6"}));
  try {
    offline_script(s, dialect(), true, "head");
    ADD_FAILURE() << "the offline script dropped a column a generated one uses";
  } catch (const MigrationError& e) {
    expect_refusal(e.what());
  }
}

// A revision file that asks for a generated column and a default, or gives no expression, is
// refused at load with the line.
TEST_P(GeneratedColumns, AGeneratedColumnWithADefaultOrNoExpressionIsRefused) {
  for (const char* column : {"{name: t, type: integer, server_default: 1, generated: {sql: \"1\"}}",
                             "{name: t, type: integer, generated: {sql: \"\"}}",
                             "{name: t, type: integer, generated: {stored: true}}"}) {
    write("20250103_0000_9e0000000003_bad.yaml",
          std::string("revision: 9e0000000003\ndown_revision: 9e0000000002\nmessage: bad\n"
                      "upgrade:\n  - add_column: {table: lines, column: ") +
              column + "}\ndowngrade: []\n");
    try {
      scripts();
      ADD_FAILURE() << column;
    } catch (const MigrationError& e) {
      std::string what = e.what();
      EXPECT_NE(what.find("9e0000000003_bad.yaml:5"), std::string::npos) << what;
      EXPECT_NE(what.find("generated"), std::string::npos) << what;
    }
  }
}

STRATA_ON_BOTH_BACKENDS(GeneratedColumns);

}  // namespace
}  // namespace strata::test
