// Revision files: their format (docs/migrations.md), every error naming the file and line, and
// schema replay from the operations alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/error.hpp>
#include <strata/migrate/script_directory.hpp>

namespace strata::migrate {
namespace {
namespace fs = std::filesystem;

const char* kInit = R"yaml(revision: 3f2a9c1b7d4e
down_revision: null            # a revision id; a list for a merge; null for a root
branch_labels: []
depends_on: []
message: init
created: 2025-09-26T12:00:00Z
transactional: true
upgrade:
  - create_table:
      name: users
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: email, type: string(320), nullable: false, unique: true}
  - create_table:
      name: items
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: title, type: string(200), nullable: false}
        - {name: owner_id, type: biginteger, nullable: false,
           foreign_key: {references: users.id, on_delete: cascade}}
        - {name: created_at, type: datetime, server_default: now}
        - {name: price, type: "numeric(10,2)", server_default: 0}
        - {name: status, type: string(10), server_default: "now"}
        - {name: slug, type: text, server_default: {sql: "lower('x')"}}
      indexes:
        - {name: ix_items_title, columns: [title]}
  - execute:
      sql: "UPDATE items SET title = trim(title)"
      postgresql: "UPDATE items SET title = btrim(title)"
downgrade:
  - drop_table: {name: items}
  - drop_table: {name: users}
)yaml";

std::string error_of(std::string_view text) {
  try {
    parse_revision(text, "versions/x.yaml");
  } catch (const MigrationError& e) {
    return e.what();
  }
  return "no error";
}

TEST(RevisionFile, ParsesTheDesignExample) {
  auto r = parse_revision(kInit, "versions/20250926_1200_3f2a9c1b7d4e_init.yaml");
  EXPECT_EQ(r.id, "3f2a9c1b7d4e");
  EXPECT_TRUE(r.down_revisions.empty());
  EXPECT_EQ(r.message, "init");
  EXPECT_TRUE(r.transactional);
  EXPECT_TRUE(r.has_downgrade);
  ASSERT_EQ(r.upgrade.size(), 3u);
  ASSERT_EQ(r.downgrade.size(), 2u);
  const Table& items = std::get<CreateTable>(r.upgrade[1]).table;
  EXPECT_EQ(items.primary_key->name, "pk_items");
  EXPECT_EQ(items.foreign_keys.at(0).name, "fk_items_owner_id_users");
  EXPECT_EQ(items.foreign_keys.at(0).on_delete, FkAction::cascade);
  EXPECT_EQ(items.indexes.at(0).name, "ix_items_title");
  EXPECT_EQ(items.column("created_at")->server_default, ServerDefault::now());
  EXPECT_EQ(items.column("price")->server_default, ServerDefault::value(0));
  EXPECT_EQ(items.column("status")->server_default, ServerDefault::value("now"));
  EXPECT_EQ(items.column("slug")->server_default, ServerDefault::sql("lower('x')"));
  EXPECT_EQ(items.column("price")->type, Type::numeric(10, 2));
  const auto& exec = std::get<Execute>(r.upgrade[2]);
  EXPECT_EQ(exec.per_dialect.at("postgresql"), "UPDATE items SET title = btrim(title)");
  EXPECT_EQ(std::get<CreateTable>(r.upgrade[0]).table.unique_constraints.at(0).name,
            "uq_users_email");
  EXPECT_EQ(r.checksum.size(), 64u);
}

TEST(RevisionFile, ErrorsNameFileAndLine) {
  EXPECT_EQ(error_of("revision: a\ndown_revision: [unclosed\n").substr(0, 31),
            "versions/x.yaml:3: YAML syntax ");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade: []\nfoo: 1\n"),
            "versions/x.yaml:4: unknown key 'foo' in a revision file (expected revision, "
            "down_revision, branch_labels, depends_on, message, created, transactional, "
            "lock_timeout, statement_timeout, upgrade, downgrade)");
  EXPECT_EQ(error_of("revision: a\nupgrade: []\n"),
            "versions/x.yaml:1: a revision file is missing the required field 'down_revision'");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade:\n  - make_table: {name: t}\n"),
            "versions/x.yaml:4: unknown operation 'make_table'");
  auto type = error_of(
      "revision: a\ndown_revision: null\nupgrade:\n  - create_table:\n      name: t\n"
      "      columns:\n        - {name: id, type: varchar(5)}\n");
  EXPECT_EQ(type.substr(0, 44), "versions/x.yaml:7: unknown type 'varchar(5)'") << type;
  auto comma = error_of(
      "revision: a\ndown_revision: null\nupgrade:\n  - create_table:\n      name: t\n"
      "      columns:\n        - {name: id, type: numeric(10,2)}\n");
  EXPECT_NE(comma.find("versions/x.yaml:7: unknown key '2)' in column: a type with a comma inside "
                       "{...} needs quotes"),
            std::string::npos)
      << comma;
  auto missing = error_of("revision: a\ndown_revision: null\nupgrade:\n  - drop_table: {}\n");
  EXPECT_EQ(missing, "versions/x.yaml:4: drop_table is missing the required field 'name'");
  auto bad_key = error_of(
      "revision: a\ndown_revision: null\nupgrade:\n  - drop_column: {table: t, column: c}\n");
  EXPECT_NE(bad_key.find("unknown key 'column' in drop_column"), std::string::npos) << bad_key;
  auto nothing = error_of(
      "revision: a\ndown_revision: null\nupgrade:\n  - alter_column: {table: t, name: c}\n");
  EXPECT_NE(nothing.find("alter_column changes nothing"), std::string::npos);
}

// Every YAML reader a reviewer uses (PyYAML, yq) keeps the last of two equal keys and yaml-cpp
// the first: the file would not say what runs.
TEST(RevisionFile, AKeyGivenTwiceNamesBothLines) {
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade: []\nmessage: m\n"
                     "upgrade:\n  - drop_table: {name: t}\n"),
            "versions/x.yaml:5: key 'upgrade' given twice (first at line 3); keep one");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\ndown_revision: b\nupgrade: []\n"),
            "versions/x.yaml:3: key 'down_revision' given twice (first at line 2); keep one");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade:\n  - add_column:\n"
                     "      table: t\n      column: {name: c, type: text}\n      table: u\n"),
            "versions/x.yaml:7: key 'table' given twice (first at line 5); keep one");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade:\n  - create_table:\n"
                     "      name: t\n      columns:\n        - {name: id, type: integer,\n"
                     "           primary_key: true, type: biginteger}\n"),
            "versions/x.yaml:8: key 'type' given twice (first at line 7); keep one");
  // The same key in two maps, or in two list items, is no repetition.
  auto r = parse_revision(
      "revision: a\ndown_revision: null\nupgrade:\n"
      "  - drop_table: {name: t}\n  - drop_table: {name: u}\n"
      "downgrade:\n  - execute: {sql: x}\n",
      "versions/x.yaml");
  EXPECT_EQ(r.upgrade.size(), 2u);
}

TEST(RevisionFile, AnAliasInsideItsOwnNodeIsAnErrorNotALoop) {
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade:\n"
                     "  - execute: &op {sql: x, postgresql: *op}\n"),
            "versions/x.yaml:4: an alias names a map or list it is inside; write it out");
  // An alias to a node elsewhere is plain YAML, and checked where the node is written.
  auto r = parse_revision(
      "revision: a\ndown_revision: null\nupgrade:\n"
      "  - execute: &op {sql: x}\ndowngrade:\n  - execute: *op\n",
      "versions/x.yaml");
  EXPECT_EQ(std::get<Execute>(r.downgrade.at(0)).sql, "x");
}

// yaml-cpp reads an unclosed quote to the end of the file: with a line break there it reports
// nothing, so a file said "missing 'upgrade'" at line 1 or ran the rest of the file as text.
TEST(RevisionFile, AQuoteNeverClosedIsNamedAtItsLine) {
  const std::string reason = "YAML syntax error: illegal EOF in scalar: ";
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nmessage: \"abc\nupgrade: []\n"),
            "versions/x.yaml:3: " + reason +
                "the \" opened on this line is never closed; add the closing \"");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nmessage: \"abc"),
            "versions/x.yaml:3: " + reason +
                "the \" opened on this line is never closed; add the closing \"");
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade:\n  - execute:\n"
                     "      sql: 'DELETE FROM t\n  - drop_table: {name: t}\n"),
            "versions/x.yaml:5: " + reason +
                "the ' opened on this line is never closed; add the closing '");
  // In a flow map yaml-cpp fails at the end of the file, on another line.
  EXPECT_EQ(error_of("revision: a\ndown_revision: null\nupgrade:\n  - execute: {sql: \"x}\n"
                     "  - drop_table: {name: t}\n"),
            "versions/x.yaml:4: " + reason +
                "the \" opened on this line is never closed; add the closing \"");
  // Escaped quotes, a block scalar, a byte-order mark and a quote that ends the file are closed.
  auto r = parse_revision(
      "\xEF\xBB\xBFrevision: a\ndown_revision: null\nupgrade:\n"
      "  - execute: {sql: \"say \\\"hi\\\"\", sqlite: 'it''s'}\n  - execute:\n"
      "      sql: |\n        SELECT 'x\ndowngrade:\n  - execute: {sql: \"y\"}",
      "versions/x.yaml");
  EXPECT_EQ(std::get<Execute>(r.upgrade.at(0)).sql, "say \"hi\"");
  EXPECT_EQ(std::get<Execute>(r.upgrade.at(0)).per_dialect.at("sqlite"), "it's");
  EXPECT_EQ(std::get<Execute>(r.upgrade.at(1)).sql, "SELECT 'x\n");
  EXPECT_EQ(std::get<Execute>(r.downgrade.at(0)).sql, "y");
}

TEST(RevisionFile, GraphContentsSkipOperationsAndKeepLineNumbers) {
  std::string text =
      "revision: abcd\nupgrade:\n- drop_tabel: {name: t}\ndowngrade:\n  - nonsense: 1\n"
      "message: late\ndown_revision: [x, y]\nbogus: 1\n";
  try {
    parse_revision(text, "versions/x.yaml", {}, Contents::graph);
    FAIL() << "the unknown top-level key must still be reported";
  } catch (const MigrationError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 45), "versions/x.yaml:8: unknown key 'bogus' in a r");
  }
  text.erase(text.find("bogus: 1\n"));
  auto r = parse_revision(text, "versions/x.yaml", {}, Contents::graph);
  EXPECT_EQ(r.message, "late");
  EXPECT_EQ(r.down_revisions, (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(r.upgrade.empty());
  EXPECT_EQ(r.checksum, checksum(text));
  EXPECT_THROW(parse_revision(text, "versions/x.yaml"), MigrationError);  // drop_tabel
}

TEST(RevisionFile, AddColumnShorthandsBecomeNamedConstraints) {
  auto r = parse_revision(
      "revision: b\ndown_revision: a\nupgrade:\n  - add_column:\n      table: items\n"
      "      column: {name: sku, type: string(20), unique: true, index: true}\n",
      "x.yaml");
  ASSERT_EQ(r.upgrade.size(), 3u);
  EXPECT_EQ(std::get<AddColumn>(r.upgrade[0]).column.name, "sku");
  EXPECT_EQ(std::get<CreateIndex>(r.upgrade[1]).index.name, "ix_items_sku");
  EXPECT_EQ(std::get<CreateUniqueConstraint>(r.upgrade[2]).constraint.name, "uq_items_sku");
  EXPECT_EQ(r.down_revisions, std::vector<std::string>{"a"});
  EXPECT_FALSE(r.has_downgrade);
}

TEST(RevisionFile, ChecksumIgnoresLineEndings) {
  EXPECT_EQ(checksum("a: 1\r\nb: 2\r\n"), checksum("a: 1\nb: 2\n"));
  EXPECT_EQ(checksum("a: 1\rb: 2\r"), checksum("a: 1\nb: 2\n"));
  EXPECT_NE(checksum("a: 1\n"), checksum("a: 2\n"));
  EXPECT_EQ(checksum(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(checksum("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

class ScriptDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-scripts-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "versions");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / "versions" / name) << text;
  }
  // The same message from a whole load, from a links-only load, and from the links cache that
  // the first links-only load wrote.
  std::string load_error() {
    std::vector<std::string> messages;
    for (auto contents : {Contents::everything, Contents::graph, Contents::graph}) {
      try {
        ScriptDirectory::load(dir_, {}, contents);
        messages.push_back("no error");
      } catch (const MigrationError& e) {
        messages.push_back(e.what());
      }
    }
    EXPECT_EQ(messages[0], messages[1]);
    EXPECT_EQ(messages[0], messages[2]);
    return messages[0];
  }
  fs::path dir_;
};

TEST_F(ScriptDirectoryTest, LoadsAndChecksNamesAndLinks) {
  write("20250926_1200_3f2a9c1b7d4e_init.yaml", kInit);
  write("20250927_0900_aa11bb22cc33_more.yaml",
        "revision: aa11bb22cc33\ndown_revision: 3f2a9c1b7d4e\nupgrade:\n"
        "  - add_column: {table: items, column: {name: note, type: text}}\n"
        "downgrade:\n  - drop_column: {table: items, name: note}\n");
  auto scripts = ScriptDirectory::load(dir_);
  EXPECT_EQ(scripts.graph().heads(), std::vector<std::string>{"aa11bb22cc33"});
  write("20250928_0900_ffffffffffff_bad.yaml",
        "revision: eeeeeeeeeeee\ndown_revision: aa11bb22cc33\nupgrade: []\n");
  EXPECT_NE(load_error().find("ffffffffffff_bad.yaml:1: the file name does not carry its "
                              "revision eeeeeeeeeeee"),
            std::string::npos);
  fs::remove(dir_ / "versions" / "20250928_0900_ffffffffffff_bad.yaml");
  write("20250928_0900_eeeeeeeeeeee_lost.yaml",
        "revision: eeeeeeeeeeee\ndown_revision: 999999999999\nupgrade: []\n");
  EXPECT_NE(load_error().find("eeeeeeeeeeee_lost.yaml:2: revision eeeeeeeeeeee has down_revision "
                              "999999999999, which no revision file defines"),
            std::string::npos);
  fs::remove(dir_ / "versions" / "20250928_0900_eeeeeeeeeeee_lost.yaml");
  write("20250928_0900_eeeeeeeeeeee_needs.yaml",
        "revision: eeeeeeeeeeee\ndown_revision: aa11bb22cc33\ndepends_on: [777777777777]\n"
        "upgrade: []\n");
  EXPECT_NE(load_error().find("eeeeeeeeeeee_needs.yaml:3: revision eeeeeeeeeeee depends on "
                              "777777777777"),
            std::string::npos);
  fs::remove(dir_ / "versions" / "20250928_0900_eeeeeeeeeeee_needs.yaml");
  write("20250928_0900_c1c1c1c1c1c1_loop.yaml",
        "message: a loop\nrevision: c1c1c1c1c1c1\ndown_revision: d2d2d2d2d2d2\nupgrade: []\n");
  write("20250928_0901_d2d2d2d2d2d2_loop.yaml",
        "message: a loop\nrevision: d2d2d2d2d2d2\ndown_revision: c1c1c1c1c1c1\nupgrade: []\n");
  auto loop = load_error();
  EXPECT_NE(loop.find("_loop.yaml:3: revision "), std::string::npos) << loop;
  EXPECT_NE(loop.find("links form a cycle"), std::string::npos) << loop;
  fs::remove(dir_ / "versions" / "20250928_0900_c1c1c1c1c1c1_loop.yaml");
  fs::remove(dir_ / "versions" / "20250928_0901_d2d2d2d2d2d2_loop.yaml");
  write("20250929_0900_aa11bb22cc33_twin.yaml",
        "revision: aa11bb22cc33\ndown_revision: 3f2a9c1b7d4e\nupgrade: []\n");
  auto twice = load_error();
  EXPECT_NE(twice.find("revision aa11bb22cc33 is defined twice: in "), std::string::npos) << twice;
  EXPECT_NE(twice.find("_more.yaml:1 and in "), std::string::npos) << twice;
  EXPECT_NE(twice.find("_twin.yaml:1"), std::string::npos) << twice;
  EXPECT_THROW(ScriptDirectory::load(dir_ / "nowhere"), MigrationError);
  fs::remove(dir_ / "versions" / "20250929_0900_aa11bb22cc33_twin.yaml");
  write("20250929_0900_bb11bb22cc33_short.yml",
        "revision: bb11bb22cc33\ndown_revision: aa11bb22cc33\nupgrade: []\n");
  EXPECT_NE(load_error().find("_short.yml: revision files end in .yaml"), std::string::npos);
}

// history and heads read only the links, through the cache, yet name a repeated key or an
// unclosed quote in an operation as upgrade does.
TEST_F(ScriptDirectoryTest, EveryLoadRefusesAKeyTwiceOrAnUnclosedQuote) {
  write("20250926_1200_3f2a9c1b7d4e_init.yaml", kInit);
  write("20250927_0900_aa11bb22cc33_more.yaml",
        "revision: aa11bb22cc33\ndown_revision: 3f2a9c1b7d4e\nupgrade:\n"
        "  - add_column: {table: items, column: {name: note, type: text, type: integer}}\n");
  EXPECT_EQ(load_error(), (dir_ / "versions" / "20250927_0900_aa11bb22cc33_more.yaml").string() +
                              ":4: key 'type' given twice (first at line 4); keep one");
  write("20250927_0900_aa11bb22cc33_more.yaml",
        "revision: aa11bb22cc33\ndown_revision: 3f2a9c1b7d4e\nupgrade:\n"
        "  - execute: {sql: \"SELECT 1}\n");
  EXPECT_NE(load_error().find("_more.yaml:4: YAML syntax error: illegal EOF in scalar"),
            std::string::npos);
  write("20250927_0900_aa11bb22cc33_more.yaml",
        "revision: aa11bb22cc33\ndown_revision: 3f2a9c1b7d4e\nupgrade: []\n");
  EXPECT_EQ(load_error(), "no error");
}

TEST(SchemaReplay, ShapesFollowTheOperations) {
  auto r = parse_revision(kInit, "x.yaml");
  SchemaState state;
  for (const auto& op : r.upgrade) state.apply(op);
  ASSERT_NE(state.table("items"), nullptr);
  state.apply(AlterColumn{"items", "title", Type::text(), false, std::nullopt, "name"});
  const Table& items = *state.table("items");
  EXPECT_EQ(items.column("name")->type, Type::text());
  EXPECT_EQ(items.indexes.at(0).columns, std::vector<std::string>{"name"});
  state.apply(RenameTable{"users", "people"});
  EXPECT_EQ(state.table("items")->foreign_keys.at(0).referred_table, "people");
  state.apply(DropColumn{"items", "owner_id"});
  EXPECT_TRUE(state.table("items")->foreign_keys.empty());
  EXPECT_THROW(state.apply(DropTable{"users"}), MigrationError);
  EXPECT_THROW(state.apply(AddColumn{"items", Column("name", Type::text())}), MigrationError);
  for (const auto& op : r.downgrade) {
    if (std::get<DropTable>(op).name == "users") continue;
    state.apply(op);
  }
  EXPECT_EQ(state.tables().size(), 1u);
}

}  // namespace
}  // namespace strata::migrate
