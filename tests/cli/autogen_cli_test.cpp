// revision --autogenerate, check, lint and verify through an application that embeds the
// command line with its models, on both backends.
#include <strata/dialect/inspector.hpp>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {
namespace fs = std::filesystem;

class AutogenCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cli_.emplace(dir(), url());
  }
  Outcome app(const std::string& args, const std::string& models = "full") const {
    return run_strata(dir(), args, "STRATA_TEST_MODELS=" + models, STRATA_APP_PATH);
  }
  std::size_t revision_files() const {
    auto it = fs::directory_iterator(dir() / "db" / "versions");
    return static_cast<std::size_t>(std::count_if(
        fs::begin(it), fs::end(it), [](const auto& e) { return e.path().extension() == ".yaml"; }));
  }

  std::optional<CliRunner> cli_;
};

TEST_P(AutogenCli, FromNothingToTheModelsAndBack) {
  auto nothing = app("revision --autogenerate -m none");  // the models against an empty database
  ASSERT_EQ(nothing.status, 0) << nothing.err;
  ASSERT_EQ(revision_files(), 1u);
  // The comparison made no SQLite file: check finds no database until the upgrade makes one.
  auto pending = app("check");
  EXPECT_EQ(pending.status, 1);
  if (is_sqlite()) {
    EXPECT_FALSE(fs::exists(dir() / "test.db"));
    EXPECT_NE(pending.err.find("no database at"), std::string::npos) << pending.err;
  } else {
    EXPECT_NE(pending.out.find("pending revision"), std::string::npos) << pending.out;
  }
  ASSERT_EQ(app("upgrade head").status, 0);
  auto clean = app("check");
  EXPECT_EQ(clean.status, 0) << clean.out << clean.err;
  EXPECT_EQ(clean.out, "The database is at head and matches the models.\n");
  auto again = app("revision --autogenerate -m again");
  EXPECT_EQ(again.out, "No changes detected\n");
  EXPECT_EQ(revision_files(), 1u);
  auto verified = app("verify");
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("Verified 1 revision(s)"), std::string::npos) << verified.out;
  ASSERT_EQ(app("downgrade base").status, 0);
  EXPECT_EQ(Inspector(make_engine()).table_names(),
            (std::vector<std::string>{"strata_history", "strata_version"}));
}

TEST_P(AutogenCli, ModelsThatShrinkGiveDropsThatLintFlags) {
  ASSERT_EQ(app("revision --autogenerate -m all --rev-id aaaa00000001").status, 0);
  ASSERT_EQ(app("upgrade head").status, 0);
  auto shrink = app("revision --autogenerate -m shrink --rev-id bbbb00000001", "users");
  ASSERT_EQ(shrink.status, 0) << shrink.err;
  auto differ = app("--json check", "users");
  EXPECT_EQ(differ.status, 1);
  EXPECT_NE(differ.out.find(R"("pending":["bbbb00000001"])"), std::string::npos) << differ.out;
  auto lint = app("lint aaaa00000001:");
  EXPECT_EQ(lint.status, 1);
  EXPECT_NE(lint.out.find("drop-table"), std::string::npos) << lint.out;
  EXPECT_NE(lint.out.find("drop-column"), std::string::npos) << lint.out;
  ASSERT_EQ(app("upgrade head", "users").status, 0);
  EXPECT_EQ(app("check", "users").status, 0);
  ASSERT_EQ(app("downgrade aaaa00000001", "users").status, 0);
  auto back = app("--json check");  // the schema of the full models again; bbbb is pending
  EXPECT_EQ(back.status, 1);
  EXPECT_NE(back.out.find(R"("differences":[])"), std::string::npos) << back.out;
}

TEST_P(AutogenCli, MisuseExitsWithOneLineAndWritesNothing) {
  auto standalone = cli_->run("revision --autogenerate -m x");
  EXPECT_EQ(standalone.status, 2);
  EXPECT_NE(standalone.err.find("run it through the application's own binary"), std::string::npos)
      << standalone.err;
  ASSERT_EQ(app("revision -m first --rev-id aaaa00000001").status, 0);
  auto behind = app("revision --autogenerate -m x");
  EXPECT_EQ(behind.status, 1);
  // A SQLite file that is not there yet is not made to be compared.
  EXPECT_NE(behind.err.find(is_sqlite() ? "no database at " + (dir() / "test.db").string() +
                                              "; check the URL, or run `app upgrade` to create it"
                                        : "is at base, not at aaaa00000001"),
            std::string::npos)
      << behind.err;
  EXPECT_EQ(std::count(behind.err.begin(), behind.err.end(), '\n'), 1) << behind.err;
  EXPECT_EQ(revision_files(), 1u);
  EXPECT_FALSE(Inspector(make_engine()).has_table("users"));
  cli_->write("20250102_0000_bbbb00000001_bad.yaml",
              "revision: bbbb00000001\ndown_revision: aaaa00000001\nupgrade:\n"
              "  - create_table: {name: t, columns: [{name: id, type: integer}, {name: x, type: "
              "text}]}\ndowngrade:\n  - drop_column: {table: t, name: x}\n");
  auto verify = app("verify");
  EXPECT_EQ(verify.status, 1);
  EXPECT_NE(verify.out.find("revision bbbb00000001"), std::string::npos) << verify.out;
  EXPECT_FALSE(Inspector(make_engine()).has_table("t"));  // verify runs on a scratch database
}

// Warnings alone exit 0, as before; the drop of an object made by hand adds an error.
TEST_P(AutogenCli, LintNamesObjectsTheHistoryDoesNotCreateAndExitsZeroOnWarnings) {
  cli_->write("20250101_0000_aaaa00000001_legacy.yaml",
              "revision: aaaa00000001\ndown_revision: null\nupgrade:\n"
              "  - execute: {sql: \"CREATE TABLE legacy (id INTEGER PRIMARY KEY)\"}\n"
              "downgrade:\n  - execute: {sql: \"DROP TABLE legacy\"}\n");
  cli_->write("20250102_0000_bbbb00000001_note.yaml",
              "revision: bbbb00000001\ndown_revision: aaaa00000001\nupgrade:\n"
              "  - add_column: {table: legacy, column: {name: note, type: text}}\n"
              "downgrade:\n  - drop_column: {table: legacy, name: note}\n");
  auto warned = cli_->run("lint");
  EXPECT_EQ(warned.status, 0) << warned.out << warned.err;
  EXPECT_NE(warned.out.find("upgrade operation 1: warning object-not-in-history: add_column "
                            "legacy.note: table legacy is not created by any earlier revision"),
            std::string::npos)
      << warned.out;
  EXPECT_NE(warned.out.find("1 finding(s), 0 error(s)"), std::string::npos) << warned.out;
  cli_->write("20250103_0000_cccc00000001_drift.yaml",
              "revision: cccc00000001\ndown_revision: bbbb00000001\nupgrade:\n"
              "  - drop_column: {table: legacy, name: stray}\ndowngrade: []\n");
  auto dropped = cli_->run("lint");
  EXPECT_EQ(dropped.status, 1) << dropped.out << dropped.err;
  EXPECT_EQ(dropped.err, "");
  EXPECT_NE(dropped.out.find("3 finding(s), 1 error(s)"), std::string::npos) << dropped.out;
}

// Two branches and their merge: each revision is checked on its own parents.
TEST_P(AutogenCli, VerifyChecksBranchesAndTheirMerge) {
  auto table = [](const std::string& id, const std::string& down, const std::string& name) {
    return "revision: " + id + "\ndown_revision: " + down +
           "\nupgrade:\n  - create_table: {name: " + name +
           ", columns: [{name: id, type: biginteger, primary_key: true}]}\n"
           "downgrade:\n  - drop_table: {name: " +
           name + "}\n";
  };
  cli_->write("20250101_0000_aaaa00000001_init.yaml", table("aaaa00000001", "null", "items"));
  cli_->write("20250102_0000_bbbb00000001_reports.yaml",
              table("bbbb00000001", "aaaa00000001", "reports"));
  cli_->write("20250102_0000_cccc00000001_tags.yaml",
              "revision: cccc00000001\ndown_revision: aaaa00000001\nupgrade:\n"
              "  - add_column: {table: items, column: {name: tag, type: text}}\n"
              "downgrade:\n  - drop_column: {table: items, name: tag}\n");
  cli_->write("20250103_0000_dddd00000001_merge.yaml",
              "revision: dddd00000001\ndown_revision: [bbbb00000001, cccc00000001]\n"
              "upgrade: []\ndowngrade: []\n");
  auto verified = cli_->run("verify");
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("Verified 4 revision(s)"), std::string::npos) << verified.out;
  cli_->write("20250102_0000_cccc00000001_tags.yaml",
              "revision: cccc00000001\ndown_revision: aaaa00000001\nupgrade:\n"
              "  - add_column: {table: items, column: {name: tag, type: text}}\n"
              "downgrade: []\n");
  auto wrong = cli_->run("--json verify");
  EXPECT_EQ(wrong.status, 1) << wrong.out << wrong.err;
  EXPECT_NE(wrong.out.find(R"("differences":["remove column items.tag"])"), std::string::npos)
      << wrong.out;
  EXPECT_NE(wrong.out.find(R"("revision":"cccc00000001")"), std::string::npos) << wrong.out;
  EXPECT_FALSE(Inspector(make_engine()).has_table("items"));  // a scratch database
}

STRATA_ON_BOTH_BACKENDS(AutogenCli);

}  // namespace
}  // namespace strata::test
