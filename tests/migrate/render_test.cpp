// Every operation rendered for the backend and run on it: afterwards the reflected database
// equals the schema replayed from the operations, and no row is lost (SQLite rebuilds
// included, with a child table whose foreign key cascades on delete).
#include <algorithm>
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/render.hpp>
#include <strata/migrate/script_directory.hpp>

#include "support/backends.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;

class Render : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // The runner turns SQLite's foreign keys off around a rebuild; so does this test.
    engine_.emplace(make_engine(is_sqlite() ? "foreign_keys=off" : ""));
    NamingConvention naming;
    Table items("items", {Column("id", Type::biginteger()).primary_key(),
                          Column("title", Type::string(200)).not_null().index(),
                          Column("price", Type::numeric(10, 2))});
    Table notes("notes", {Column("id", Type::biginteger()).primary_key(),
                          Column("item_id", Type::biginteger())
                              .not_null()
                              .references("items.id", FkAction::cascade)});
    naming.apply(items);
    naming.apply(notes);
    apply(CreateTable{items});
    apply(CreateTable{notes});
    auto conn = engine_->connect();
    for (int i = 1; i <= 50; ++i) {
      conn.execute("INSERT INTO items (id, title, price) VALUES (?, ?, ?)", i,
                   "item " + std::to_string(i), i * 1.5);
      conn.execute("INSERT INTO notes (id, item_id) VALUES (?, ?)", i, i);
    }
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }

  // Renders and runs `op`, then checks the database against the replayed schema.
  RenderedOperation apply(const Operation& op) {
    auto rendered = render(op, Dialect::of(backend()), state_);
    auto conn = engine_->connect();
    auto tx = conn.begin();
    for (const auto& sql : rendered.statements) conn.execute_script(sql);
    if (is_sqlite()) {
      EXPECT_TRUE(conn.execute("PRAGMA foreign_key_check").empty());
    }
    tx.commit();
    state_.apply(op);
    Inspector inspector(*engine_);
    auto tables = inspector.tables();
    EXPECT_EQ(tables.size(), state_.tables().size()) << operation_name(op);
    for (const auto& t : tables) {
      const Table* expected = state_.table(t.name);
      EXPECT_NE(expected, nullptr) << t.name;
      if (expected) {
        EXPECT_EQ(describe_difference(*expected, t), "") << operation_name(op);
      }
    }
    return rendered;
  }
  int count(const std::string& table) {
    return engine_->connect().execute("SELECT count(*) FROM " + table).scalar<int>();
  }

  std::optional<Engine> engine_;
  SchemaState state_;
};

TEST_P(Render, ColumnsChangeInPlaceOrByRebuildKeepingEveryRow) {
  apply(AddColumn{"items", Column("note", Type::text())});
  auto not_null =
      apply(AddColumn{"items", Column("added", Type::datetime()).not_null().default_now()});
  EXPECT_EQ(not_null.rebuilt_table, is_sqlite() ? "items" : "");
  auto altered =
      apply(AlterColumn{"items", "title", Type::text(), true, std::nullopt, std::nullopt});
  EXPECT_EQ(altered.rebuilt_table, is_sqlite() ? "items" : "");
  apply(AlterColumn{"items", "title", std::nullopt, std::nullopt, std::nullopt, "name"});
  apply(AlterColumn{"items", "price", std::nullopt, false,
                    std::optional<ServerDefault>(ServerDefault::value(0)), "cost"});
  EXPECT_EQ(count("items"), 50);
  EXPECT_EQ(count("notes"), 50);  // the cascade never fired
  auto conn = engine_->connect();
  EXPECT_EQ(conn.execute("SELECT name FROM items WHERE id = 7").scalar<std::string>(), "item 7");
  EXPECT_DOUBLE_EQ(conn.execute("SELECT cost FROM items WHERE id = 4").scalar<double>(), 6.0);
  apply(DropColumn{"items", "note"});
  auto indexed = apply(DropColumn{"items", "name"});  // its index goes with it
  EXPECT_EQ(indexed.rebuilt_table, is_sqlite() ? "items" : "");
  EXPECT_EQ(count("notes"), 50);
}

TEST_P(Render, ConstraintsAndIndexes) {
  apply(CreateUniqueConstraint{"items", UniqueConstraint{"uq_items_title", {"title"}}});
  EXPECT_THROW(engine_->connect().execute("INSERT INTO items (id, title) VALUES (99, 'item 1')"),
               IntegrityError);
  apply(CreateCheckConstraint{"items", CheckConstraint{"ck_items_price", "price >= 0"}});
  apply(AddColumn{"notes", Column("parent_id", Type::biginteger())});
  apply(CreateForeignKey{"notes", ForeignKey{"fk_notes_parent_id_notes",
                                             {"parent_id"},
                                             "notes",
                                             {"id"},
                                             FkAction::set_null,
                                             FkAction::no_action}});
  apply(DropConstraint{"items", "uq_items_title", ConstraintType::unique});
  apply(CreateIndex{"items", Index{"ix_items_price", {"price"}, false, "price > 10"}});
  apply(DropIndex{"items", "ix_items_price"});
  apply(DropConstraint{"items", "ck_items_price", ConstraintType::check});
  EXPECT_EQ(count("items"), 50);
  EXPECT_EQ(count("notes"), 50);
}

TEST_P(Render, TablesRowsAndScripts) {
  apply(BulkInsert{"items",
                   {{{"id", Value(100)}, {"title", Value("it's bulk")}},
                    {{"id", Value(101)}, {"title", Value("two")}, {"price", Value(2.5)}}}});
  EXPECT_EQ(count("items"), 52);
  apply(Execute{"UPDATE items SET title = 'generic' WHERE id = 101",
                {{std::string(Dialect::of(backend()).name()),
                  "UPDATE items SET title = 'mine' WHERE id = 101"}}});
  EXPECT_EQ(
      engine_->connect().execute("SELECT title FROM items WHERE id = 101").scalar<std::string>(),
      "mine");
  apply(RenameTable{"notes", "remarks"});
  EXPECT_EQ(count("remarks"), 50);
  apply(DropTable{"remarks"});
  EXPECT_THROW(render(DropTable{"remarks"}, Dialect::of(backend()), state_), MigrationError);
}

// Several alterations of one table in a row copy its rows once; a column dropped and added
// again within them starts empty rather than inheriting the old values.
TEST_P(Render, ConsecutiveRebuildsOfATableCopyItOnce) {
  std::vector<Operation> ops{
      AlterColumn{"items", "title", Type::text(), std::nullopt, std::nullopt, "name"},
      AlterColumn{"items", "name", std::nullopt, true, std::nullopt, "label"},
      DropColumn{"items", "price"},
      AddColumn{"items", Column("price", Type::numeric(10, 2)).not_null().default_value(7)},
      CreateCheckConstraint{"items", CheckConstraint{"ck_items_price", "price >= 0"}},
      AddColumn{"notes", Column("body", Type::text())}};
  SchemaState state = state_;
  auto rendered = render_all(ops, Dialect::of(backend()), state);
  if (is_sqlite()) {
    ASSERT_EQ(rendered.size(), 2u);
    EXPECT_EQ(rendered[0].rebuilt_table, "items");
    EXPECT_EQ(rendered[0].first, 0u);
    EXPECT_EQ(rendered[0].last, 4u);
    auto copies = std::count_if(rendered[0].statements.begin(), rendered[0].statements.end(),
                                [](const auto& sql) { return sql.starts_with("INSERT INTO"); });
    EXPECT_EQ(copies, 1);
  }
  auto conn = engine_->connect();
  auto tx = conn.begin();
  for (const auto& op : rendered) {
    for (const auto& sql : op.statements) conn.execute_script(sql);
  }
  tx.commit();
  EXPECT_EQ(conn.execute("SELECT label FROM items WHERE id = 7").scalar<std::string>(), "item 7");
  EXPECT_DOUBLE_EQ(conn.execute("SELECT max(price) FROM items").scalar<double>(), 7.0);
  EXPECT_EQ(count("notes"), 50);
  for (const auto& t : Inspector(*engine_).tables()) {
    EXPECT_EQ(describe_difference(*state.table(t.name), t), "") << t.name;
  }
}

STRATA_ON_BOTH_BACKENDS(Render);

}  // namespace
}  // namespace strata::test
