// The revision writer reads back through the parser to the same operations, for every
// operation kind; inverse operations undo what they invert.
#include <gtest/gtest.h>

#include <cmath>
#include <strata/core/error.hpp>
#include <strata/migrate/revision_writer.hpp>
#include <strata/migrate/script_directory.hpp>

namespace strata::migrate {
namespace {

Table items_table() {
  Table t("items", {Column("id", Type::biginteger()).primary_key(),
                    Column("title", Type::string(200)).not_null().index(),
                    Column("price", Type::numeric(12, 2)).not_null().default_value(0.5),
                    Column("qty", Type::integer()).default_value(1).check("qty >= 0"),
                    Column("active", Type::boolean()).default_value(true),
                    Column("code", Type::string(10)).default_value("it's \"x\" # y"),
                    Column("word", Type::text()).default_value("now"),
                    Column("slug", Type::text()).default_sql("lower('X')"),
                    Column("seen", Type::datetime_tz()).default_now(),
                    Column("owner_id", Type::biginteger())
                        .references("users.id", FkAction::cascade, FkAction::set_null)});
  t.add_index({"title", "qty"}, true, "qty > 0", "ix_items_partial");
  t.add_unique({"code", "word"});
  NamingConvention{}.apply(t);
  return t;
}

Table pairs_table() {
  Table t("pairs", {Column("a", Type::integer()).not_null(), Column("b", Type::string(5)),
                    Column("n", Type::integer()).auto_increment(false),
                    Column("x", Type::float32()), Column("y", Type::float64())});
  t.add_primary_key({"b", "a"});
  t.add_foreign_key(
      {"", {"a", "b"}, "other.table", {"x", "y"}, FkAction::restrict, FkAction::set_default});
  NamingConvention{}.apply(t);
  return t;
}

// Shorthand candidates out of column order, or named otherwise: written as lists.
Table out_of_order_table() {
  Table t("odd", {Column("a", Type::integer()), Column("b", Type::integer())});
  t.add_index({"b"});
  t.add_index({"a"});
  t.add_index({"a"}, false, "", "custom_name");
  t.add_unique({"b"});
  t.add_unique({"a"});
  t.add_foreign_key({"", {"b"}, "x", {"id"}, {}, {}});
  t.add_foreign_key({"", {"a"}, "x", {"id"}, {}, {}});
  NamingConvention{}.apply(t);
  return t;
}

std::vector<Operation> every_operation() {
  Column added("note", Type::string(0));
  added.nullable = false;
  added.server_default = ServerDefault::value(Value(2.0));
  return {
      CreateTable{items_table()},
      CreateTable{pairs_table()},
      CreateTable{out_of_order_table()},
      DropTable{"old"},
      RenameTable{"a", "true"},
      AddColumn{"items", added},
      DropColumn{"items", "gone"},
      AlterColumn{"items", "title", Type::text(), false, std::optional<ServerDefault>{}, "name"},
      AlterColumn{"items", "qty", {}, {}, ServerDefault::sql("1 + 1"), {}},
      AlterColumn{"items", "qty", {}, true, {}, {}},
      CreateIndex{"items", Index{"ix_x", {"a", "b"}, false, ""}, true},
      CreateIndex{"items", Index{"ix_y", {"c"}, true, "c IS NOT NULL"}, false},
      DropIndex{"items", "ix_x"},
      CreateUniqueConstraint{"items", UniqueConstraint{"uq_items_a", {"a"}}},
      CreateForeignKey{
          "items",
          ForeignKey{"fk_x", {"a"}, "users", {"id"}, FkAction::set_null, FkAction::no_action}},
      CreateCheckConstraint{"items", CheckConstraint{"ck_items_pos", "a > 0 AND b <> 'x'"}},
      CreateForeignKey{"items", ForeignKey{"fk_v", {"b"}, "users", {"id"}, {}, {}}, true},
      CreateCheckConstraint{"items", CheckConstraint{"ck_items_v", "b IS NOT NULL"}, true},
      ValidateConstraint{"items", "fk_v"},
      DropConstraint{"items", "uq_items_a", ConstraintType::unique},
      DropConstraint{"items", "fk_x", ConstraintType::foreign_key},
      DropConstraint{"items", "ck_items_pos", ConstraintType::check},
      DropConstraint{"items", "pk_items", ConstraintType::primary_key},
      Execute{"UPDATE items SET title = trim(title)",
              {{"postgresql", "UPDATE items SET title = btrim(title)"}}},
      BulkInsert{"items",
                 {{{"id", Value(std::int64_t{1})}, {"title", Value("x: y")}},
                  {{"price", Value(1.0)}, {"active", Value(false)}, {"note", Value()}}}},
  };
}

Revision sample(std::vector<Operation> upgrade, std::vector<Operation> downgrade) {
  Revision r;
  r.id = "0a1b2c3d4e5f";
  r.down_revisions = {"ffffeeeedddd", "123412341234"};
  r.branch_labels = {"feature"};
  r.depends_on = {"abcdabcdabcd"};
  r.message = "add: \"things\" # here";
  r.created = "2026-01-02T03:04:05Z";
  r.transactional = false;
  r.upgrade = std::move(upgrade);
  r.downgrade = std::move(downgrade);
  r.has_downgrade = true;
  return r;
}

TEST(RevisionWriter, EveryOperationReadsBackEqual) {
  auto ops = every_operation();
  Revision r = sample(ops, {DropTable{"items"}});
  r.lock_timeout = std::chrono::milliseconds(1'500);
  r.statement_timeout = std::chrono::milliseconds(0);
  std::string text = write_revision(r);
  Revision back = parse_revision(text, "x.yaml");
  EXPECT_EQ(back.id, r.id);
  EXPECT_EQ(back.down_revisions, r.down_revisions);
  EXPECT_EQ(back.branch_labels, r.branch_labels);
  EXPECT_EQ(back.depends_on, r.depends_on);
  EXPECT_EQ(back.message, r.message);
  EXPECT_EQ(back.created, r.created);
  EXPECT_EQ(back.transactional, r.transactional);
  EXPECT_EQ(back.lock_timeout, r.lock_timeout);
  EXPECT_EQ(back.statement_timeout, r.statement_timeout);
  ASSERT_EQ(back.upgrade.size(), ops.size()) << text;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ(back.upgrade[i], ops[i])
        << "operation " << i << " (" << operation_name(ops[i]) << ")\n"
        << text;
  }
  EXPECT_EQ(back.downgrade.size(), 1u);
  EXPECT_TRUE(back.has_downgrade);
}

TEST(RevisionWriter, StableAndReadable) {
  Revision r = sample({CreateTable{items_table()}}, {DropTable{"items"}});
  r.down_revisions = {"ffffeeeedddd"};
  RevisionComments comments;
  comments.header = {"written by autogenerate"};
  comments.upgrade[0] = {"possible rename of a to b"};
  std::string text = write_revision(r, comments);
  EXPECT_EQ(text, write_revision(r, comments));
  EXPECT_NE(text.find("# written by autogenerate\nrevision: 0a1b2c3d4e5f\n"
                      "down_revision: ffffeeeedddd\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  # possible rename of a to b\n  - create_table:\n      name: items\n"
                      "      columns:\n"
                      "        - {name: id, type: biginteger, primary_key: true}\n"
                      "        - {name: title, type: string(200), nullable: false, index: true}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("{name: seen, type: datetime_tz, server_default: now}"), std::string::npos);
  EXPECT_NE(text.find("{name: word, type: text, server_default: \"now\"}"), std::string::npos);
  EXPECT_NE(text.find("        - {name: owner_id, type: biginteger, foreign_key: {references: "
                      "users.id, on_delete: cascade, on_update: set_null}}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      indexes:\n        - {name: ix_items_partial, columns: [title, qty], "
                      "unique: true, where: \"qty > 0\"}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("downgrade:\n  - drop_table: {name: items}\n"), std::string::npos);
}

TEST(RevisionWriter, EmptyListsAndNoDowngrade) {
  Revision r = sample({}, {});
  r.down_revisions.clear();
  r.has_downgrade = false;
  std::string text = write_revision(r);
  EXPECT_NE(text.find("down_revision: null\n"), std::string::npos);
  EXPECT_NE(text.find("upgrade: []\n"), std::string::npos);
  EXPECT_EQ(text.find("downgrade"), std::string::npos);
  Revision back = parse_revision(text, "x.yaml");
  EXPECT_TRUE(back.upgrade.empty());
  EXPECT_FALSE(back.has_downgrade);
}

TEST(RevisionWriter, DoublesStayDoublesAndUnwritableTypesAreErrors) {
  for (double d : {1.0, -0.0, 1e300, 0.1, std::nan(""), HUGE_VAL}) {
    Column c("x", Type::float64());
    c.server_default = ServerDefault::value(Value(d));
    Revision back = parse_revision(write_revision(sample({AddColumn{"t", c}}, {})), "x.yaml");
    const auto& added = std::get<AddColumn>(back.upgrade.at(0)).column;
    ASSERT_EQ(added.server_default->literal.kind(), ValueKind::real) << d;
    if (!std::isnan(d)) {
      EXPECT_EQ(added.server_default->literal.as_double(), d);
    }
  }
  Column odd("addr", Type::other("inet"));
  try {
    write_revision(sample({AddColumn{"hosts", odd}}, {}));
    FAIL() << "expected an error";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("column hosts.addr: type 'inet'"), std::string::npos)
        << e.what();
  }
  Column null_default("x", Type::integer());
  null_default.server_default = ServerDefault::value(Value());
  EXPECT_THROW(write_revision(sample({AddColumn{"t", null_default}}, {})), MigrationError);
}

SchemaState state_with(const std::vector<Table>& tables) {
  SchemaState s;
  for (const auto& t : tables) s.apply(CreateTable{t});
  return s;
}

TEST(Inverse, UndoesEveryInvertibleOperation) {
  Table users("users", {Column("id", Type::biginteger()).primary_key()});
  NamingConvention{}.apply(users);
  SchemaState start = state_with({users, items_table()});
  // Dropping code takes this CHECK with it; the inverse brings it back.
  start.apply(CreateCheckConstraint{"items", CheckConstraint{"ck_items_code", "code <> ''"}});
  Column added("note", Type::text());
  std::vector<Operation> ops = {
      AddColumn{"items", added},
      AlterColumn{"items", "title", Type::text(), true, ServerDefault::now(), "name"},
      CreateIndex{"items", Index{"ix_items_note", {"note"}, false, ""}},
      DropIndex{"items", "ix_items_title"},
      CreateUniqueConstraint{"items", UniqueConstraint{"uq_items_note", {"note"}}},
      CreateCheckConstraint{"items", CheckConstraint{"ck_items_x", "qty < 5"}},
      DropConstraint{"items", "ck_items_qty", ConstraintType::check},
      DropConstraint{"items", "fk_items_owner_id_users", ConstraintType::foreign_key},
      CreateForeignKey{"items", ForeignKey{"fk_n", {"qty"}, "users", {"id"}, {}, {}}},
      DropColumn{"items", "code"},
      RenameTable{"items", "things"},
      CreateTable{pairs_table()},
      DropTable{"users"},
  };
  SchemaState end = start;
  for (const auto& op : ops) end.apply(op);
  for (const auto& op : inverse(ops, start)) end.apply(op);
  ASSERT_EQ(end.tables().size(), start.tables().size());
  for (const auto& [name, table] : start.tables()) {
    ASSERT_NE(end.table(name), nullptr) << name;
    Table sorted = *end.table(name);
    // Re-added columns come last; everything else is as it was.
    std::stable_sort(sorted.columns.begin(), sorted.columns.end(),
                     [&](const Column& a, const Column& b) {
                       auto pos = [&](const Column& c) {
                         for (std::size_t i = 0; i < table.columns.size(); ++i)
                           if (table.columns[i].name == c.name) return i;
                         return table.columns.size();
                       };
                       return pos(a) < pos(b);
                     });
    EXPECT_EQ(describe_difference(table, sorted), "") << name;
  }
}

TEST(Inverse, WhatCannotBeUndoneSaysSo) {
  SchemaState s = state_with({items_table()});
  EXPECT_THROW(inverse(Execute{"SELECT 1", {}}, s), MigrationError);
  EXPECT_THROW(inverse(BulkInsert{"items", {}}, s), MigrationError);
  EXPECT_THROW(inverse(DropConstraint{"items", "items_pkey", ConstraintType::primary_key}, s),
               MigrationError);
  EXPECT_THROW(inverse(DropTable{"nope"}, s), MigrationError);
}

}  // namespace
}  // namespace strata::migrate
