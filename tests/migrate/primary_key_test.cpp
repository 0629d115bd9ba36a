// Primary keys in revision files: named in create_table, named by the convention's `pk`
// template, and written back by the revision writer as they were read.
#include <gtest/gtest.h>

#include <strata/core/error.hpp>
#include <strata/migrate/revision_writer.hpp>
#include <strata/migrate/script_directory.hpp>

namespace strata::migrate {
namespace {

Revision parse(std::string_view operations, const NamingConvention& convention = {}) {
  std::string text = "revision: a1\ndown_revision: null\nupgrade:\n" + std::string(operations);
  return parse_revision(text, "versions/x.yaml", convention);
}

std::string error_of(std::string_view operations) {
  try {
    parse(operations);
  } catch (const MigrationError& e) {
    return e.what();
  }
  return "no error";
}

Table created(const Revision& r, std::size_t i = 0) {
  return std::get<CreateTable>(r.upgrade.at(i)).table;
}

const char* kRuns = R"yaml(  - create_table:
      name: runs
      columns:
        - {name: id, type: biginteger, nullable: false}
        - {name: attempt, type: integer, nullable: false}
      primary_key: {name: run_pk, columns: [id, attempt]}
)yaml";

TEST(PrimaryKey, CreateTableNamesItsKey) {
  Table runs = created(parse(kRuns));
  ASSERT_TRUE(runs.primary_key);
  EXPECT_EQ(runs.primary_key->name, "run_pk");
  EXPECT_EQ(runs.primary_key->columns, (std::vector<std::string>{"id", "attempt"}));
  Table listed = created(
      parse("  - create_table:\n      name: tags\n      columns: [{name: a, type: integer}, "
            "{name: b, type: integer}]\n      primary_key: [a, b]\n"));
  EXPECT_EQ(listed.primary_key->name, "pk_tags");
  EXPECT_FALSE(listed.column("a")->nullable);
}

// `{name}` alone names the key the columns marked primary_key: true make; a marked integer
// column still autoincrements.
TEST(PrimaryKey, TheMapNamesTheKeyOfTheMarkedColumns) {
  const Table& t =
      created(parse("  - create_table:\n      name: runs\n      columns:\n"
                    "        - {name: id, type: biginteger, primary_key: true}\n"
                    "      primary_key: {name: run_pk}\n"));
  EXPECT_EQ(t.primary_key, (PrimaryKey{"run_pk", {"id"}}));
  EXPECT_TRUE(t.column("id")->autoincrement);
}

TEST(PrimaryKey, TheConventionsPkTemplateNamesKeys) {
  NamingConvention convention;
  convention.primary_key = "{table}_pkey";
  EXPECT_EQ(created(parse("  - create_table:\n      name: items\n      columns:\n"
                          "        - {name: id, type: biginteger, primary_key: true}\n",
                          convention))
                .primary_key->name,
            "items_pkey");
  EXPECT_EQ(created(parse(kRuns, convention)).primary_key->name, "run_pk");
}

TEST(PrimaryKey, MistakesNameTheLine) {
  EXPECT_EQ(error_of("  - create_table:\n      name: t\n      columns: [{name: a, type: integer}]\n"
                     "      primary_key: {name: t_pk}\n"),
            "versions/x.yaml:7: primary_key names no columns: list them, or mark columns "
            "primary_key: true");
  EXPECT_EQ(error_of("  - create_table:\n      name: t\n      columns:\n"
                     "        - {name: a, type: integer, primary_key: true}\n"
                     "        - {name: b, type: integer}\n"
                     "      primary_key: [b]\n"),
            "versions/x.yaml:9: primary_key lists (b) but the columns marked primary_key: true "
            "are (a); keep one of the two");
  auto unknown = error_of(
      "  - create_table:\n      name: t\n      columns: [{name: a, type: integer}]\n"
      "      primary_key: {name: t_pk, column: [a]}\n");
  EXPECT_NE(unknown.find("versions/x.yaml:7: unknown key 'column' in primary key (expected "
                         "name, columns)"),
            std::string::npos)
      << unknown;
}

// What the writer writes reads back as the same operations: a named key as {name, columns},
// a conventional one as the column's shorthand or a list.
TEST(PrimaryKey, TheWriterWritesTheNameBack) {
  Revision r = parse(std::string(kRuns) +
                     "  - create_table:\n      name: solo\n      columns:\n"
                     "        - {name: id, type: biginteger, primary_key: true}\n"
                     "      primary_key: {name: solo_key}\n"
                     "  - create_table:\n      name: tags\n      columns: [{name: a, type: "
                     "integer}, {name: b, type: integer}]\n      primary_key: [a, b]\n"
                     "  - create_table:\n      name: plain\n      columns:\n"
                     "        - {name: id, type: biginteger, primary_key: true}\n");
  r.id = "a1";
  std::string text = write_revision(r);
  EXPECT_NE(text.find("      primary_key: {name: run_pk, columns: [id, attempt]}\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      primary_key: {name: solo_key, columns: [id]}\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("      primary_key: [a, b]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("{name: id, type: biginteger, primary_key: true}"), std::string::npos)
      << text;
  EXPECT_EQ(parse_revision(text, "versions/x.yaml").upgrade, r.upgrade) << text;
}

}  // namespace
}  // namespace strata::migrate
