#include <algorithm>
#include <cctype>
#include <strata/dialect/dialect.hpp>
#include <strata/dialect/inspector.hpp>
#include <strata/schema/metadata.hpp>

#include "support/backends.hpp"
#include "support/full_model.hpp"

namespace strata::test {
namespace {

class Reflection : public DatabaseTest {};

TEST_P(Reflection, CreateAllThenReflectGivesTheModelBack) {
  auto engine = make_engine();
  auto model = full_model();
  model.create_all(engine);
  Inspector inspector(engine);
  EXPECT_EQ(inspector.table_names(),
            (std::vector<std::string>{"items", "pair_notes", "pairs", "users"}));
  auto reflected = inspector.tables();
  ASSERT_EQ(reflected.size(), 4u);
  for (const auto& table : reflected) {
    const Table* expected = model.table(table.name);
    ASSERT_NE(expected, nullptr) << table.name;
    EXPECT_EQ(describe_difference(*expected, table), "");
  }
  EXPECT_EQ(describe_difference(*model.table("items"), inspector.table("items")), "");
  EXPECT_THROW(inspector.table("nope"), ProgrammingError);
}

TEST_P(Reflection, CreateAllSkipsWhatExistsAndDropAllRemovesInOrder) {
  auto engine = make_engine();
  auto model = full_model();
  model.create_all(engine);
  engine.connect().execute("INSERT INTO users (email) VALUES (?)", "a@example.com");
  model.create_all(engine);
  EXPECT_EQ(engine.connect().execute("SELECT count(*) FROM users").scalar<int>(), 1);
  model.drop_all(engine);
  EXPECT_TRUE(Inspector(engine).table_names().empty());
  EXPECT_NO_THROW(model.drop_all(engine));
}

TEST_P(Reflection, ConstraintsAreEnforcedAsDeclared) {
  auto engine = make_engine();
  full_model().create_all(engine);
  auto conn = engine.connect();
  auto id = conn.execute("INSERT INTO users (email) VALUES (?) RETURNING id", "a@x")
                .scalar<std::int64_t>();
  EXPECT_THROW(conn.execute("INSERT INTO users (email) VALUES (?)", "a@x"), IntegrityError);
  EXPECT_THROW(
      conn.execute("INSERT INTO items (owner_id, title, price) VALUES (?, ?, ?)", id, "t", -1),
      IntegrityError);
  EXPECT_THROW(conn.execute("INSERT INTO items (owner_id, title) VALUES (?, ?)", id + 100, "t"),
               IntegrityError);
  conn.execute("INSERT INTO items (owner_id, title) VALUES (?, ?)", id, "t");
  conn.execute("DELETE FROM users WHERE id = ?", id);
  EXPECT_EQ(conn.execute("SELECT count(*) FROM items").scalar<int>(), 0);  // ON DELETE CASCADE
}

TEST_P(Reflection, HandWrittenSchemaReflectsWithoutError) {
  auto engine = make_engine();
  auto conn = engine.connect();
  std::string serial = is_sqlite() ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "SERIAL PRIMARY KEY";
  conn.execute_script("CREATE TABLE \"Parent Table\" (\"Id\" " + serial +
                      ", \"Name\" TEXT UNIQUE)");
  conn.execute_script(
      "CREATE TABLE child (id INTEGER NOT NULL, parent_id INTEGER REFERENCES \"Parent Table\" "
      "(\"Id\") ON DELETE SET NULL, \"order\" INTEGER CHECK (\"order\" >= 0), "
      "PRIMARY KEY (id), UNIQUE (parent_id, \"order\"))");
  conn.execute_script("CREATE INDEX child_order ON child (\"order\") WHERE \"order\" > 10");
  conn.execute_script("CREATE VIEW child_view AS SELECT id FROM child");
  if (is_sqlite())
    conn.execute_script("CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID");
  Inspector inspector(engine);
  EXPECT_EQ(inspector.view_names(), std::vector<std::string>{"child_view"});
  auto parent = inspector.table("Parent Table");
  EXPECT_TRUE(parent.column("Id")->autoincrement);
  ASSERT_EQ(parent.unique_constraints.size(), 1u);
  EXPECT_EQ(parent.unique_constraints[0].columns, std::vector<std::string>{"Name"});
  auto child = inspector.table("child");
  ASSERT_EQ(child.foreign_keys.size(), 1u);
  EXPECT_EQ(child.foreign_keys[0].referred_table, "Parent Table");
  EXPECT_EQ(child.foreign_keys[0].referred_columns, std::vector<std::string>{"Id"});
  EXPECT_EQ(child.foreign_keys[0].on_delete, FkAction::set_null);
  ASSERT_EQ(child.check_constraints.size(), 1u);
  EXPECT_EQ(normalize_sql_expression(child.check_constraints[0].condition), "\"order\" > = 0");
  ASSERT_EQ(child.indexes.size(), 1u);
  EXPECT_EQ(normalize_sql_expression(child.indexes[0].where), "\"order\" > 10");
  EXPECT_EQ(child.unique_constraints.size(), 1u);
  if (is_sqlite()) {
    EXPECT_FALSE(inspector.table("kv").column("k")->autoincrement);
  }
}

// Text only a tokenizer reads right: '' inside a literal, a parenthesis or -- inside one, and
// a comment in a condition (SQLite keeps it; PostgreSQL deparses without it).
TEST_P(Reflection, StringsAndCommentsInConditionsAndDefaults) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT DEFAULT (')('), "
      "CONSTRAINT note_ok CHECK (note <> 'it''s' /* not that */))");
  conn.execute_script("CREATE INDEX notes_dash ON notes (id) WHERE note <> 'a -- b'");
  auto notes = Inspector(engine).table("notes");
  ASSERT_TRUE(notes.column("note")->server_default);
  EXPECT_EQ(*notes.column("note")->server_default, ServerDefault::value(Value(")(")));
  ASSERT_EQ(notes.check_constraints.size(), 1u);
  EXPECT_EQ(normalize_sql_expression(notes.check_constraints[0].condition), "note < > 'it''s'");
  ASSERT_EQ(notes.indexes.size(), 1u);
  EXPECT_EQ(normalize_sql_expression(notes.indexes[0].where), "note < > 'a -- b'");
}

TEST_P(Reflection, ExpressionIndexesSharedUniqueIndexesAndImplicitReferences) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
  conn.execute_script("CREATE UNIQUE INDEX ux_users_email ON users (email)");
  conn.execute_script("CREATE INDEX ix_users_lower ON users (lower(email), id)");
  conn.execute_script(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, author TEXT REFERENCES users (email), "
      "user_id INTEGER REFERENCES users)");
  Inspector inspector(engine);
  auto users = inspector.table("users");
  ASSERT_EQ(users.indexes.size(), 2u);  // the unique index an FK uses is still an index
  const Index& lower =
      users.indexes[0].name == "ix_users_lower" ? users.indexes[0] : users.indexes[1];
  ASSERT_EQ(lower.columns.size(), 2u);
  EXPECT_EQ(normalize_sql_expression(lower.columns[0]), "lower ( email )");
  EXPECT_EQ(lower.columns[1], "id");
  auto notes =
      inspector.table("notes");  // reflected alone: the parent's key comes from the catalog
  ASSERT_EQ(notes.foreign_keys.size(), 2u);
  for (const auto& fk : notes.foreign_keys) {
    EXPECT_EQ(fk.referred_columns.size(), 1u);
    EXPECT_EQ(fk.referred_columns[0], fk.columns[0] == "author" ? "email" : "id");
  }
}

TEST_P(Reflection, PartitionsAndVirtualTablesAreNotTables) {
  auto engine = make_engine();
  auto conn = engine.connect();
  if (is_sqlite()) {
    conn.execute_script("CREATE VIRTUAL TABLE docs USING fts5(body)");
  } else {
    conn.execute_script(
        "CREATE TABLE events (id BIGINT NOT NULL, at DATE NOT NULL, PRIMARY KEY (id, at)) "
        "PARTITION BY RANGE (at); "
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01'); "
        "CREATE TABLE refs (id BIGINT, at DATE, FOREIGN KEY (id, at) REFERENCES events)");
  }
  conn.execute_script("CREATE TABLE plain (x INTEGER)");
  Inspector inspector(engine);
  auto names = inspector.table_names();
  if (is_sqlite()) {
    EXPECT_EQ(names, std::vector<std::string>{"plain"});
  } else {
    EXPECT_EQ(names, (std::vector<std::string>{"events", "plain", "refs"}));
    auto refs = inspector.table("refs");
    ASSERT_EQ(refs.foreign_keys.size(), 1u);
    EXPECT_EQ(refs.foreign_keys[0].referred_table, "events");
  }
  EXPECT_EQ(inspector.tables().size(), names.size());
}

// has_table is one lookup, not a listing; it must agree with table_names on every kind of
// object: tables, views, virtual tables and their shadow tables, partitions, quoted names.
// Names compare as the backend compares identifiers: SQLite ignores case, PostgreSQL does not.
TEST_P(Reflection, HasTableAgreesWithTableNames) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script(
      "CREATE TABLE plain (x INTEGER); CREATE TABLE \"Mixed Case\" (x INTEGER); "
      "CREATE VIEW seen AS SELECT x FROM plain");
  std::vector<std::string> asked{"plain", "Mixed Case", "mixed case", "seen", "missing"};
  if (is_sqlite()) {
    conn.execute_script("CREATE VIRTUAL TABLE docs USING fts5(body)");
    asked.insert(asked.end(), {"docs", "docs_data", "sqlite_schema", "sqlite_master"});
  } else {
    conn.execute_script(
        "CREATE TABLE events (at DATE NOT NULL) PARTITION BY RANGE (at); "
        "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01'); DROP SCHEMA IF EXISTS elsewhere CASCADE; CREATE SCHEMA elsewhere; "
        "CREATE TABLE elsewhere.hidden (x INTEGER)");
    asked.insert(asked.end(), {"events", "events_2024", "hidden", "pg_class"});
  }
  Inspector inspector(engine);
  auto names = inspector.table_names();
  auto same = [&](std::string a, std::string b) {
    if (is_sqlite()) {
      for (auto* text : {&a, &b}) {
        std::transform(text->begin(), text->end(), text->begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
    }
    return a == b;
  };
  for (const auto& name : asked) {
    bool listed = std::any_of(names.begin(), names.end(),
                              [&](const std::string& n) { return same(n, name); });
    EXPECT_EQ(inspector.has_table(name), listed) << name;
  }
  EXPECT_TRUE(inspector.has_table("Mixed Case"));
  EXPECT_FALSE(inspector.has_table("seen"));
  if (!is_sqlite()) conn.execute_script("DROP SCHEMA elsewhere CASCADE");
}

// has_relation answers "is the name taken here": by a table, view or index of the inspected
// schema (and a sequence or partition on PostgreSQL), whatever characters the name holds.
TEST_P(Reflection, HasRelationIsAnyRelationOfTheSchemaOnly) {
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script(
      "CREATE TABLE plain (x INTEGER); CREATE TABLE \"Mixed Case\" (x INTEGER); "
      "CREATE VIEW seen AS SELECT x FROM plain; CREATE INDEX ix_plain ON plain (x)");
  std::vector<std::string> taken{"plain", "Mixed Case", "seen", "ix_plain"};
  std::vector<std::string> free{"missing", "plain.x", "\"plain\"", "pg_class", "hidden"};
  if (is_sqlite()) {
    taken.push_back("PLAIN");
  } else {
    conn.execute_script(
        "CREATE SEQUENCE counter; CREATE TABLE events (at DATE NOT NULL) PARTITION BY RANGE "
        "(at); CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01'); DROP SCHEMA IF EXISTS other CASCADE; CREATE SCHEMA other; "
        "CREATE TABLE other.hidden (x INTEGER)");
    taken.insert(taken.end(), {"counter", "events", "events_2024"});
    free.insert(free.end(), {"PLAIN", "mixed case"});
  }
  Inspector inspector(engine);
  for (const auto& name : taken) EXPECT_TRUE(inspector.has_relation(name)) << name;
  for (const auto& name : free) EXPECT_FALSE(inspector.has_relation(name)) << name;
  if (is_sqlite()) return;
  EXPECT_TRUE(Inspector(engine, "other").has_relation("hidden"));
  EXPECT_FALSE(Inspector(engine, "other").has_relation("plain"));
  conn.execute_script("DROP SCHEMA other CASCADE");
}

TEST_P(Reflection, OtherPostgresSchema) {
  if (is_sqlite()) GTEST_SKIP() << "schemas are a PostgreSQL feature";
  auto engine = make_engine();
  auto conn = engine.connect();
  conn.execute_script("CREATE SCHEMA sales; CREATE TABLE sales.orders (id BIGINT PRIMARY KEY)");
  EXPECT_TRUE(Inspector(engine).table_names().empty());
  Inspector sales(engine, "sales");
  EXPECT_EQ(sales.table_names(), std::vector<std::string>{"orders"});
  EXPECT_EQ(sales.table("orders").primary_key->columns, std::vector<std::string>{"id"});
  conn.execute_script("DROP SCHEMA sales CASCADE");
}

STRATA_ON_BOTH_BACKENDS(Reflection);

}  // namespace
}  // namespace strata::test
