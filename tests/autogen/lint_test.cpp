// Each lint rule fires on a minimal revision and is silenced by its ignore comment.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <strata/autogen/lint.hpp>

namespace strata::autogen {
namespace {

using namespace strata::migrate;
namespace fs = std::filesystem;

SchemaState base_state() {
  Table items("items", {Column("id", Type::biginteger()).primary_key(),
                        Column("title", Type::string(100)), Column("qty", Type::integer())});
  NamingConvention{}.apply(items);
  SchemaState state;
  state.apply(CreateTable{items});
  return state;
}

std::string revision_text(const std::string& upgrade, bool transactional = true) {
  return std::string("revision: bbbbbbbbbbbb\ndown_revision: aaaaaaaaaaaa\nmessage: x\n") +
         "transactional: " + (transactional ? "true" : "false") + "\nupgrade:\n" + upgrade +
         "downgrade: []\n";
}

std::vector<std::string> rules_of(const std::string& text, const LintOptions& options = {}) {
  Revision r = parse_revision(text, "x.yaml");
  std::vector<std::string> out;
  for (const auto& f : lint(r, base_state(), options, text)) out.push_back(f.rule);
  return out;
}

struct Case {
  std::string rule;
  std::string upgrade;
  bool transactional = true;
  LintOptions options = {};
};

std::vector<Case> cases() {
  LintOptions large;
  large.row_counts = {{"items", 250'000}};
  return {
      {"drop-table", "  - drop_table: {name: items}\n"},
      {"drop-column", "  - drop_column: {table: items, name: title}\n"},
      {"rename", "  - rename_table: {name: items, new_name: things}\n"},
      {"rename", "  - alter_column: {table: items, name: title, new_name: name}\n"},
      {"type-narrowing", "  - alter_column: {table: items, name: title, type: string(50)}\n"},
      {"type-narrowing", "  - alter_column: {table: items, name: qty, type: smallinteger}\n"},
      {"not-null-without-default",
       "  - add_column: {table: items, column: {name: n, type: text, nullable: false}}\n"},
      {"sqlite-rebuild-large-table",
       "  - alter_column: {table: items, name: qty, nullable: false}\n", true, large},
      {"pg-index-not-concurrent", "  - create_index: {name: ix_q, table: items, columns: [qty]}\n"},
      {"non-transactional-mixed",
       "  - execute: {sql: \"SELECT 1\"}\n  - execute: {sql: \"SELECT 2\"}\n", false},
  };
}

TEST(Lint, EachRuleFiresAndItsIgnoreCommentSilencesIt) {
  for (const auto& c : cases()) {
    std::string text = revision_text(c.upgrade, c.transactional);
    EXPECT_EQ(rules_of(text, c.options), std::vector<std::string>{c.rule}) << c.upgrade;
    std::string ignored = "# strata:lint-ignore " + c.rule + "\n" + text;
    EXPECT_EQ(rules_of(ignored, c.options), std::vector<std::string>{}) << c.upgrade;
    std::string other = "# strata:lint-ignore some-other-rule\n" + text;
    EXPECT_EQ(rules_of(other, c.options).size(), 1u) << c.upgrade;
  }
}

TEST(Lint, EveryRuleHasACase) {
  std::set<std::string> covered;
  for (const auto& c : cases()) covered.insert(c.rule);
  for (const auto& r : lint_rules()) EXPECT_TRUE(covered.count(std::string(r.id))) << r.id;
}

TEST(Lint, OneCommentSilencesOneFinding) {
  std::string text = revision_text(
      "  # strata:lint-ignore drop-column\n"
      "  - drop_column: {table: items, name: title}\n"
      "  - drop_column: {table: items, name: qty}\n");
  EXPECT_EQ(rules_of(text), std::vector<std::string>{"drop-column"});
}

TEST(Lint, SafeChangesPass) {
  std::string text = revision_text(
      "  - alter_column: {table: items, name: title, type: text}\n"
      "  - alter_column: {table: items, name: qty, type: biginteger}\n"
      "  - add_column: {table: items, column: {name: n, type: integer, nullable: false, "
      "server_default: 0}}\n"
      "  - create_table:\n      name: tags\n      columns:\n"
      "        - {name: id, type: biginteger, primary_key: true}\n"
      "  - create_index: {name: ix_tags_id, table: tags, columns: [id]}\n"
      "  - alter_column: {table: items, name: qty, nullable: false}\n");
  EXPECT_EQ(rules_of(text), std::vector<std::string>{});
  EXPECT_EQ(rules_of(revision_text("  - create_index: {name: ix_q, table: items, columns: [qty], "
                                   "concurrently: true}\n",
                                   false)),
            std::vector<std::string>{});
}

TEST(Lint, ScriptDirectoryRangeNamesFilesAndOperations) {
  fs::path dir =
      fs::temp_directory_path() / ("strata-lint-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir / "versions");
  std::ofstream(dir / "versions" / "20260101_0000_aaaaaaaaaaaa_init.yaml")
      << "revision: aaaaaaaaaaaa\ndown_revision: null\nupgrade:\n  - create_table:\n"
         "      name: items\n      columns:\n        - {name: id, type: biginteger, "
         "primary_key: true}\n        - {name: title, type: text}\ndowngrade: []\n";
  std::ofstream(dir / "versions" / "20260101_0001_bbbbbbbbbbbb_drop.yaml")
      << revision_text("  - drop_column: {table: items, name: title}\n");
  auto scripts = ScriptDirectory::load(dir);
  auto findings = lint(scripts);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(has_errors(findings));
  EXPECT_EQ(findings[0].revision, "bbbbbbbbbbbb");
  EXPECT_EQ(findings[0].operation, 1u);
  EXPECT_NE(findings[0].describe().find(
                "20260101_0001_bbbbbbbbbbbb_drop.yaml: upgrade operation 1: error drop-column: "
                "drops column items.title"),
            std::string::npos)
      << findings[0].describe();
  EXPECT_TRUE(lint(scripts, Range::parse("aaaaaaaaaaaa:aaaaaaaaaaaa")).empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace strata::autogen
