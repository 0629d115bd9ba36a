// The migration commands of the strata binary, run as users run them, on both backends.
#include <poll.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/runner.hpp>
#include <thread>

#include "cli_runner.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {
namespace fs = std::filesystem;

class MigrateCli : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cli_.emplace(dir(), url());
    write("20250101_0000_aaaa11112222_init.yaml",
          "revision: aaaa11112222\ndown_revision: null\nmessage: init\nupgrade:\n"
          "  - create_table: {name: users, columns: [{name: id, type: biginteger, primary_key: "
          "true}]}\n"
          "downgrade:\n  - drop_table: {name: users}\n");
    write("20250102_0000_bbbb11112222_email.yaml",
          "revision: bbbb11112222\ndown_revision: aaaa11112222\nmessage: add email\nupgrade:\n"
          "  - add_column: {table: users, column: {name: email, type: string(100)}}\n"
          "downgrade:\n  - drop_column: {table: users, name: email}\n");
  }
  void write(const std::string& name, const std::string& text) { cli_->write(name, text); }
  Outcome strata(const std::string& args) const { return cli_->run(args); }

  std::optional<CliRunner> cli_;
};

TEST_P(MigrateCli, TheWholeWorkflow) {
  auto up = strata("upgrade head");
  ASSERT_EQ(up.status, 0) << up.err;
  EXPECT_EQ(up.out,
            "Running upgrade <base> -> aaaa11112222, init\n"
            "Running upgrade aaaa11112222 -> bbbb11112222, add email\n");
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
  EXPECT_EQ(strata("--json current").out, "{\"at_head\":true,\"current\":[\"bbbb11112222\"]}\n");
  EXPECT_EQ(strata("upgrade").out, "Nothing to do: the database is already there.\n");
  auto down = strata("downgrade base");
  ASSERT_EQ(down.status, 0) << down.err;
  EXPECT_EQ(down.out,
            "Running downgrade bbbb11112222 -> aaaa11112222, add email\n"
            "Running downgrade aaaa11112222 -> <base>, init\n");
  EXPECT_EQ(strata("current").out, "");
  EXPECT_EQ(strata("upgrade +1").status, 0);
  EXPECT_EQ(strata("current").out, "aaaa11112222\n");
  EXPECT_EQ(strata("history").out,
            "aaaa11112222 -> bbbb11112222 (head), add email\n<base> -> aaaa11112222, init\n");
  EXPECT_EQ(strata("heads").out, "bbbb11112222 (head)\n");
  EXPECT_EQ(strata("stamp head").out, "Stamped bbbb11112222\n");
  // The stamp claimed a column that was never added: reverting it fails, names the file, and
  // leaves the version where it was.
  auto lie = strata("downgrade -1");
  EXPECT_EQ(lie.status, 1);
  EXPECT_NE(
      lie.err.find("20250102_0000_bbbb11112222_email.yaml: downgrade operation 1 (drop_column)"),
      std::string::npos)
      << lie.err;
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
}

TEST_P(MigrateCli, BadInputExitsWithOneLineAndChangesNothing) {
  ASSERT_EQ(strata("upgrade aaaa").status, 0);
  write("20250103_0000_cccc11112222_bad.yaml",
        "revision: cccc11112222\ndown_revision: bbbb11112222\nupgrade:\n  - drop_tabel: {name: "
        "users}\n");
  auto bad = strata("upgrade head");
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_NE(bad.err.find("20250103_0000_cccc11112222_bad.yaml:4: unknown operation 'drop_tabel'"),
            std::string::npos)
      << bad.err;
  // Commands that run no operation read the links alone: where the database stands is still
  // shown, and the broken file is named again by whatever would run it.
  EXPECT_EQ(strata("current").out, "aaaa11112222\n");
  EXPECT_EQ(strata("upgrade --sql").status, 1);
  fs::remove(dir() / "db" / "versions" / "20250103_0000_cccc11112222_bad.yaml");
  EXPECT_EQ(strata("current").out, "aaaa11112222\n");
  auto unknown = strata("upgrade ffff9999");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("unknown revision 'ffff9999'"), std::string::npos) << unknown.err;
  EXPECT_EQ(strata("downgrade").status, 2);  // TARGET is required
  auto url = strata("--url mysql://x/y current");
  EXPECT_EQ(url.status, 2);
  EXPECT_NE(url.err.find("unknown scheme 'mysql'"), std::string::npos) << url.err;
  EXPECT_EQ(strata("current").out, "aaaa11112222\n");
}

// A key given twice in a revision file fails every command that reads the file, in one line
// naming both lines, and nothing reaches the database.
TEST_P(MigrateCli, AKeyGivenTwiceFailsEveryCommandAndChangesNothing) {
  ASSERT_EQ(strata("-q upgrade aaaa").status, 0);
  write("20250102_0000_bbbb11112222_email.yaml",
        "revision: bbbb11112222\ndown_revision: aaaa11112222\nmessage: add email\nupgrade:\n"
        "  - add_column:\n      table: users\n      column: {name: email, type: text}\n"
        "      table: accounts\n");
  for (const char* command :
       {"upgrade head", "current", "history", "heads", "show bbbb", "upgrade --sql"}) {
    auto run = strata(command);
    EXPECT_EQ(run.status, 1) << command;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << command << ": " << run.err;
    EXPECT_TRUE(run.err.starts_with("strata: ")) << command << ": " << run.err;
    EXPECT_NE(run.err.find("db/versions/20250102_0000_bbbb11112222_email.yaml:8: key 'table' "
                           "given twice (first at line 6); keep one\n"),
              std::string::npos)
        << command << ": " << run.err;
  }
  auto version = make_engine().connect().execute("SELECT version_num FROM strata_version");
  EXPECT_EQ(version.scalar<std::string>(), "aaaa11112222");
  EXPECT_EQ(Inspector(make_engine()).table("users").columns.size(), 1u);
}

// The version table names a revision no file defines (another git branch's, say).
TEST_P(MigrateCli, UnknownVersionIsShownAndPurgedByStamp) {
  ASSERT_EQ(strata("stamp --purge aaaa").status, 0);
  make_engine().connect().execute("UPDATE strata_version SET version_num = 'ffff00001111'");
  auto current = strata("current");
  EXPECT_EQ(current.status, 0) << current.err;
  EXPECT_EQ(current.out, "ffff00001111 (no file in versions/ defines it)\n");
  EXPECT_EQ(strata("--json current").out, "{\"at_head\":false,\"current\":[\"ffff00001111\"]}\n");
  auto stamp = strata("stamp bbbb");
  EXPECT_EQ(stamp.status, 1);
  EXPECT_NE(stamp.err.find("ffff00001111, which no file in versions/ defines"), std::string::npos)
      << stamp.err;
  EXPECT_NE(stamp.err.find("stamp --purge"), std::string::npos) << stamp.err;
  EXPECT_EQ(strata("stamp --purge bbbb").out, "Stamped bbbb11112222\n");
  EXPECT_EQ(strata("--json current").out, "{\"at_head\":true,\"current\":[\"bbbb11112222\"]}\n");
}

TEST_P(MigrateCli, RevisionBranchAndMerge) {
  auto made = strata("revision -m \"Add items table!\"");
  ASSERT_EQ(made.status, 0) << made.err;
  fs::path file(made.out.substr(0, made.out.size() - 1));
  EXPECT_TRUE(fs::exists(file)) << made.out;
  EXPECT_TRUE(file.filename().string().ends_with("_add_items_table.yaml")) << file;
  std::string id = file.filename().string().substr(14, 12);
  EXPECT_EQ(strata("heads").out, id + " (head)\n");
  ASSERT_EQ(strata("upgrade head").status, 0);
  EXPECT_EQ(strata("current").out, id + " (head)\n");
  ASSERT_EQ(
      strata("revision -m other --head aaaa --splice --rev-id cccc11112222 --branch-label side")
          .status,
      0);
  auto two = strata("upgrade head");
  EXPECT_EQ(two.status, 1);
  EXPECT_NE(two.err.find("strata merge heads"), std::string::npos) << two.err;
  EXPECT_EQ(strata("upgrade side@head").status, 0);
  EXPECT_EQ(strata("branches").out,
            "aaaa11112222 (branchpoint)\n    -> bbbb11112222, add email\n"
            "    -> cccc11112222 (side) (head), other\n");
  EXPECT_EQ(strata("--json branches").out,
            R"([{"children":["bbbb11112222","cccc11112222"],"revision":"aaaa11112222"}])"
            "\n");
  ASSERT_EQ(strata("merge heads -m join --rev-id dddd11112222").status, 0);
  EXPECT_EQ(strata("upgrade head").status, 0);
  EXPECT_EQ(strata("current").out, "dddd11112222 (head)\n");
  EXPECT_EQ(strata("merge heads -m again").status, 2);  // one head: nothing to join
  auto dot = strata("history --format dot");
  EXPECT_NE(dot.out.find("\"dddd11112222\" -> \"cccc11112222\";"), std::string::npos) << dot.out;
  EXPECT_NE(dot.out.find("\"cccc11112222\" -> \"aaaa11112222\";"), std::string::npos) << dot.out;
  EXPECT_TRUE(dot.out.starts_with("digraph strata {")) << dot.out;
  auto listed = strata("history --format json");
  EXPECT_TRUE(listed.out.starts_with("[\n  {")) << listed.out;
  EXPECT_NE(listed.out.find("\"down_revisions\": [\n      \""), std::string::npos) << listed.out;
  EXPECT_EQ(strata("history --format yaml").status, 2);
  EXPECT_EQ(strata("revision -m dup --rev-id dddd11112222").status, 1);
}

TEST_P(MigrateCli, ShowNamesLinksFileAndOperations) {
  auto shown = strata("show bbbb");
  ASSERT_EQ(shown.status, 0) << shown.err;
  EXPECT_TRUE(shown.out.starts_with("Rev: bbbb11112222 (head)\nParent: aaaa11112222\n"))
      << shown.out;
  EXPECT_NE(shown.out.find("20250102_0000_bbbb11112222_email.yaml"), std::string::npos);
  EXPECT_NE(shown.out.find("    add email\n"), std::string::npos);
  EXPECT_NE(shown.out.find("Upgrade:\n  1. add_column users.email\nDowngrade:\n  1. drop_column "
                           "users.email\n"),
            std::string::npos)
      << shown.out;
  auto as_json = strata("--json show head");
  EXPECT_NE(as_json.out.find(R"("upgrade":["add_column users.email"])"), std::string::npos)
      << as_json.out;
  EXPECT_EQ(strata("show 9999").status, 1);
  EXPECT_EQ(strata("show").status, 2);
}

TEST_P(MigrateCli, SchemaAtARevisionNeedsNoDatabase) {
  auto at_init =
      strata("--url sqlite:////nonexistent/dir/x.db schema --at aaaa --dialect postgresql");
  ASSERT_EQ(at_init.status, 0) << at_init.err;
  EXPECT_EQ(
      at_init.out,
      "CREATE TABLE users (\n  id BIGINT GENERATED BY DEFAULT AS IDENTITY,\n  CONSTRAINT pk_users "
      "PRIMARY KEY (id)\n);\n");
  auto at_head = strata("schema --dialect sqlite");
  EXPECT_NE(at_head.out.find("email VARCHAR(100)"), std::string::npos) << at_head.out;
  EXPECT_FALSE(fs::exists("/nonexistent/dir"));
  EXPECT_EQ(strata("schema --dialect oracle").status, 2);
}

// Two processes upgrading one database at once: each revision is applied exactly once.
TEST_P(MigrateCli, TwoProcessesApplyEachRevisionOnce) {
  std::string cli = STRATA_CLI_PATH;
  std::string script = "cd '" + dir().string() + "' && env -u DATABASE_URL sh -c '" + cli +
                       " -q upgrade head; echo $? > r1' & cd '" + dir().string() +
                       "' && env -u DATABASE_URL sh -c '" + cli +
                       " -q upgrade head; echo $? > r2' & wait";
  ASSERT_EQ(std::system(script.c_str()), 0);
  for (const char* name : {"r1", "r2"}) {
    std::ifstream in(dir() / name);
    int status = -1;
    in >> status;
    EXPECT_EQ(status, 0) << name;
  }
  auto conn = create_engine(url()).connect();
  EXPECT_EQ(
      conn.execute("SELECT count(*) FROM strata_history WHERE direction = 'upgrade'").scalar<int>(),
      2);
  EXPECT_EQ(conn.execute("SELECT count(*) FROM strata_version").scalar<int>(), 1);
}

// Three racing processes each report only the steps they applied, in text and in --json:
// together, each revision once.
TEST_P(MigrateCli, RacingProcessesReportOnlyTheirOwnSteps) {
  std::string run = "cd '" + dir().string() + "' && env -u DATABASE_URL " + STRATA_CLI_PATH;
  std::string script = run + " upgrade head > o1 & " + run + " upgrade head > o2 & " + run +
                       " --json upgrade head > o3 & wait";
  ASSERT_EQ(std::system(script.c_str()), 0);
  std::map<std::string, int> reported;
  for (const char* name : {"o1", "o2"}) {
    std::ifstream in(dir() / name);
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("Running upgrade")) ++reported[line.substr(line.find("-> ") + 3, 12)];
    }
  }
  std::ifstream json_out(dir() / "o3");
  auto answer = nlohmann::json::parse(json_out);
  for (const auto& id : answer["applied"]) ++reported[id.get<std::string>()];
  EXPECT_EQ(reported, (std::map<std::string, int>{{"aaaa11112222", 1}, {"bbbb11112222", 1}}));
}

// `upgrade` plans from the links and reads the operations only when there is work. When
// another process reverts a revision after that plan but before the lock, the work is done
// all the same. PostgreSQL only: the test holds the advisory lock, and sees strata ask for it.
TEST_P(MigrateCli, WorkThatAppearsWhileWaitingForTheLockIsStillDone) {
  if (is_sqlite()) GTEST_SKIP() << "the moment strata waits shows only in pg_stat_activity";
  ASSERT_EQ(strata("-q upgrade head").status, 0);
  auto conn = create_engine(url()).connect();
  conn.execute("SELECT pg_advisory_lock(?)", migrate::lock_key("strata_version"));
  std::string cli = STRATA_CLI_PATH;
  std::string run = "cd '" + dir().string() + "' && env -u DATABASE_URL sh -c '" + cli +
                    " -q upgrade head; echo $? > status' &";
  ASSERT_EQ(std::system(run.c_str()), 0);
  const char* waiting =
      "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND query LIKE "
      "'%pg_try_advisory_lock%'";
  while (conn.execute(waiting).scalar<int>() == 0) std::this_thread::yield();
  // What `strata downgrade -1` would do, done by hand while strata waits.
  conn.execute_script(
      "ALTER TABLE users DROP COLUMN email; UPDATE strata_version SET version_num = "
      "'aaaa11112222'");
  conn.execute("SELECT pg_advisory_unlock(?)", migrate::lock_key("strata_version"));
  int status = -1;
  while (!(std::ifstream(dir() / "status") >> status)) std::this_thread::yield();
  EXPECT_EQ(status, 0);
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
  EXPECT_EQ(conn.execute("SELECT count(*) FROM users WHERE email IS NULL").scalar<int>(), 0);
}

// `current` answers "every head is in the version table" without walking the history; a head
// that another branch's revision depends on leaves the table, and is still applied.
TEST_P(MigrateCli, AtHeadCountsAHeadThatADependencyTookOutOfTheVersionTable) {
  write("20250103_0000_cccc11112222_audit.yaml",
        "revision: cccc11112222\ndown_revision: null\nbranch_labels: [audit]\n"
        "depends_on: [bbbb11112222]\nupgrade:\n"
        "  - create_table: {name: audit, columns: [{name: id, type: biginteger, primary_key: "
        "true}]}\ndowngrade:\n  - drop_table: {name: audit}\n");
  ASSERT_EQ(strata("-q upgrade heads").status, 0);
  EXPECT_EQ(strata("--json current").out, "{\"at_head\":true,\"current\":[\"cccc11112222\"]}\n");
  ASSERT_EQ(strata("-q downgrade audit@base").status, 0);
  EXPECT_EQ(strata("--json current").out, "{\"at_head\":false,\"current\":[\"bbbb11112222\"]}\n");
}

// `current` answers from the links cache while every revision file is the one it recorded,
// and says exactly what reading the files says: with the cache fresh, missing, edited by hand,
// or stale because a file changed after it was written.
TEST_P(MigrateCli, CurrentSaysTheSameFromTheCacheAsFromTheFiles) {
  write("20250103_0000_cccc11112222_side.yaml",
        "revision: cccc11112222\ndown_revision: aaaa11112222\nbranch_labels: [side]\n"
        "message: side\nupgrade: []\ndowngrade: []\n");
  fs::path cache = dir() / "db" / "versions" / ".strata-cache";
  auto current = [&] { return strata("current").out + strata("--json current").out; };
  ASSERT_EQ(strata("-q upgrade bbbb").status, 0);
  std::string behind = "bbbb11112222 (head)\n{\"at_head\":false,\"current\":[\"bbbb11112222\"]}\n";
  ASSERT_TRUE(fs::exists(cache));
  EXPECT_EQ(current(), behind);  // from the cache
  fs::remove(cache);
  EXPECT_EQ(current(), behind);  // from the files
  ASSERT_EQ(strata("-q upgrade side@head").status, 0);
  std::string both =
      "bbbb11112222 (head)\ncccc11112222 (side) (head)\n"
      "{\"at_head\":true,\"current\":[\"bbbb11112222\",\"cccc11112222\"]}\n";
  EXPECT_EQ(current(), both);
  std::ifstream in(cache);
  std::string text{std::istreambuf_iterator<char>(in), {}};
  ASSERT_NE(text.find("\tside\t"), std::string::npos) << text;
  std::string edited = text;
  edited.replace(edited.find("\tside\t"), 6, "\tedit\t");
  std::ofstream(cache) << edited;
  EXPECT_EQ(current(), both);
  std::ifstream again(cache);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(again), {}), text);
  // A file changed after the cache was written, in a label, and then broken.
  write("20250103_0000_cccc11112222_side.yaml",
        "revision: cccc11112222\ndown_revision: aaaa11112222\nbranch_labels: [other, more]\n"
        "message: side\nupgrade: []\ndowngrade: []\n");
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\ncccc11112222 (other, more) (head)\n");
  write("20250103_0000_cccc11112222_side.yaml", "revision: cccc11112222\nmessage: [\n");
  auto broken = strata("current");
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("20250103_0000_cccc11112222_side.yaml:"), std::string::npos)
      << broken.err;
  fs::remove(cache);
  EXPECT_EQ(strata("current").err, broken.err);
}

// `current` reads no checksum, from the cache or from the files; upgrade compares them, and a
// file changed after it was applied is reported even when its size and time are unchanged,
// so that the cache trusts it for its links.
TEST_P(MigrateCli, AChangedFileIsStillReportedByUpgradeWhenTheCacheTrustsIt) {
  ASSERT_EQ(strata("-q upgrade head").status, 0);
  fs::path file = dir() / "db" / "versions" / "20250102_0000_bbbb11112222_email.yaml";
  auto time = fs::last_write_time(file);
  write("20250102_0000_bbbb11112222_email.yaml",
        "revision: bbbb11112222\ndown_revision: aaaa11112222\nmessage: add emxil\nupgrade:\n"
        "  - add_column: {table: users, column: {name: email, type: string(100)}}\n"
        "downgrade:\n  - drop_column: {table: users, name: email}\n");
  fs::last_write_time(file, time);
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
  auto up = strata("upgrade head");
  EXPECT_EQ(up.status, 1);
  EXPECT_NE(up.err.find("_email.yaml) changed after it was applied"), std::string::npos) << up.err;
  fs::remove(dir() / "db" / "versions" / ".strata-cache");
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
  EXPECT_EQ(strata("upgrade head").err, up.err);
}

// A version_table named in strata.toml is the one that upgrade writes and current reads.
TEST_P(MigrateCli, TheConfiguredVersionTableIsTheOneCurrentReads) {
  std::ofstream(dir() / "strata.toml") << "[database]\nurl = \"" << url()
                                       << "\"\n[migrations]\nscript_location = \"db\"\n"
                                          "version_table = \"app_versions\"\n";
  ASSERT_EQ(strata("-q upgrade aaaa").status, 0);
  EXPECT_EQ(strata("current").out, "aaaa11112222\n");
  auto conn = create_engine(url()).connect();
  EXPECT_EQ(conn.execute("SELECT version_num FROM app_versions").scalar<std::string>(),
            "aaaa11112222");
  EXPECT_EQ(strata("--json current").out, "{\"at_head\":false,\"current\":[\"aaaa11112222\"]}\n");
}

// Global options work before or after the command: the same output, and --url and --config
// take effect. strata.toml points at a database that cannot be opened, so only --url reaches
// the test's own.
TEST_P(MigrateCli, GlobalOptionsGoBeforeOrAfterTheCommand) {
  std::ofstream(dir() / "strata.toml")
      << "[database]\nurl = \"sqlite:////nonexistent/dir/x.db\"\n[migrations]\n"
         "script_location = \"db\"\n";
  fs::create_directories(dir() / "cfg");
  std::ofstream(dir() / "cfg/strata.toml")
      << "[database]\nurl = \"" << url() << "\"\n[migrations]\nscript_location = \"../db\"\n";
  const std::string at = " --url '" + url() + "'";
  auto both = [&](const std::string& before, const std::string& command) {
    auto first = strata(before + " " + command);
    auto second = strata(command + " " + before);
    EXPECT_EQ(first.status, 0) << before << " " << command << ": " << first.err;
    EXPECT_EQ(second.status, 0) << command << " " << before << ": " << second.err;
    EXPECT_EQ(first.out, second.out) << command << " with " << before;
    return first;
  };
  EXPECT_EQ(strata("upgrade aaaa --json" + at).out,
            "{\"applied\":[\"aaaa11112222\"],\"current\":[\"aaaa11112222\"]}\n");
  EXPECT_EQ(both(at, "current").out, "aaaa11112222\n");
  EXPECT_EQ(both("--json --config cfg/strata.toml", "current").out,
            "{\"at_head\":false,\"current\":[\"aaaa11112222\"]}\n");
  ASSERT_EQ(strata("upgrade head -q" + at).status, 0);
  for (const char* command : {"current", "heads", "branches", "history", "show head", "check",
                              "lint", "schema", "upgrade --sql"}) {
    both("--json" + at, command);
    both("--config cfg/strata.toml", command);
    EXPECT_EQ(both("-q" + at, command).out, "") << command;
    both("-v" + at, command);
  }
  EXPECT_EQ(strata("downgrade -1 --json" + at).out,
            "{\"current\":[\"aaaa11112222\"],\"reverted\":[\"bbbb11112222\"]}\n");
  EXPECT_EQ(strata("stamp head --config cfg/strata.toml").out, "Stamped bbbb11112222\n");
  EXPECT_EQ(strata("verify -q" + at).status, 0);
  auto made = strata("revision -m next --rev-id cccc11112222 --json --config cfg/strata.toml");
  EXPECT_EQ(made.status, 0) << made.err;
  EXPECT_NE(made.out.find("\"revision\":\"cccc11112222\""), std::string::npos) << made.out;
}

// A project without its versions/ folder is a configuration error even with the database
// there; a failing migration is a failure.
TEST_P(MigrateCli, ConfigurationErrorsExitTwoAndFailuresOne) {
  ASSERT_EQ(strata("-q upgrade aaaa").status, 0);
  fs::rename(dir() / "db", dir() / "moved");
  for (const char* command : {"current", "upgrade head", "downgrade -1", "stamp head", "check",
                              "heads", "revision -m x"}) {
    auto run = strata(command);
    EXPECT_EQ(run.status, 2) << command << ": " << run.err;
    EXPECT_NE(run.err.find("db/versions does not exist: "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("run `strata init`"), std::string::npos) << run.err;
  }
  fs::rename(dir() / "moved", dir() / "db");
  EXPECT_EQ(strata("upgrade head --url nosuch://x").status, 2);
  EXPECT_EQ(strata("upgrade ffff9999").status, 1);
  EXPECT_EQ(strata("upgrade head --no-such-option").status, 2);
  ASSERT_EQ(strata("-q downgrade base").status, 0);
  fs::remove(dir() / "db/versions/20250101_0000_aaaa11112222_init.yaml");
  fs::remove(dir() / "db/versions/20250102_0000_bbbb11112222_email.yaml");
  auto empty = strata("upgrade head");
  EXPECT_EQ(empty.status, 1);
  EXPECT_EQ(empty.err,
            "strata: there are no revisions yet: write a first revision file in versions/; "
            "`strata revision -m MSG` writes one\n");
}

// From a single merge head, -N steps down through the merge and then has two branches to
// choose from: the database itself was at one head.
TEST_P(MigrateCli, StepsDownThroughAMergeNameIt) {
  write("20250103_0000_cccc11112222_side.yaml",
        "revision: cccc11112222\ndown_revision: aaaa11112222\nupgrade: []\ndowngrade: []\n");
  write("20250104_0000_dddd11112222_join.yaml",
        "revision: dddd11112222\ndown_revision: [bbbb11112222, cccc11112222]\nupgrade: []\n"
        "downgrade: []\n");
  ASSERT_EQ(strata("-q upgrade head").status, 0);
  auto five = strata("downgrade -5");
  EXPECT_EQ(five.status, 1);
  EXPECT_EQ(five.err,
            "strata: -5 is ambiguous: step 1 reverts merge revision dddd11112222, below which 2 "
            "branches go down (bbbb11112222, cccc11112222); name a target\n");
  EXPECT_EQ(strata("current").out, "dddd11112222 (head)\n");
  ASSERT_EQ(strata("-q downgrade -1").status, 0);
  auto two = strata("downgrade -2");
  EXPECT_EQ(two.status, 1);
  EXPECT_EQ(two.err,
            "strata: -2 is ambiguous: the database is at 2 heads (bbbb11112222, cccc11112222); "
            "name a target\n");
}

// strata_history records the version that `strata --version` prints.
TEST_P(MigrateCli, HistoryRecordsTheVersionPrinted) {
  ASSERT_EQ(strata("-q upgrade aaaa").status, 0);
  auto printed = strata("--version").out;
  auto recorded = create_engine(url())
                      .connect()
                      .execute("SELECT strata_version FROM strata_history")
                      .scalar<std::string>();
  EXPECT_EQ(printed, "strata " + recorded + "\n");
}

// Commands that only read the database never create it. On SQLite the configured file does not
// exist yet: current and check say so in one line, lint counts no rows, and the others never open
// it. On PostgreSQL the database is there, empty, and stays empty.
TEST_P(MigrateCli, ReadOnlyCommandsCreateNothing) {
  for (const char* command :
       {"current", "check", "lint", "history", "heads", "branches", "show head", "schema",
        "upgrade --sql", "downgrade --sql head:base"}) {
    auto run = strata(command);
    bool reads = std::string_view(command) == "current" || std::string_view(command) == "check";
    if (is_sqlite() && reads) {
      EXPECT_EQ(run.status, 1) << command;
      EXPECT_EQ(run.err, "strata: no database at " + (dir() / "test.db").string() +
                             "; check the URL, or run `strata upgrade` to create it\n");
    } else {
      // check: the database is not at head.
      EXPECT_EQ(run.status, std::string_view(command) == "check" ? 1 : 0)
          << command << ": " << run.err;
    }
  }
  if (is_sqlite()) {
    for (const char* file : {"test.db", "test.db-wal", "test.db-shm"})
      EXPECT_FALSE(fs::exists(dir() / file)) << file;
  } else {
    EXPECT_TRUE(Inspector(make_engine()).table_names().empty());
  }
  ASSERT_EQ(strata("-q upgrade head").status, 0);
  EXPECT_EQ(strata("current").out, "bbbb11112222 (head)\n");
}

// `--url sqlite:///typo/app.db current` left typo/app.db behind. A database missing from a
// server is not made either.
TEST_P(MigrateCli, AMistypedUrlLeavesNothingBehind) {
  std::string typo = is_sqlite()
                         ? "sqlite:///typo/app.db"
                         : Url::parse(url()).with_database("strata_typo_database").unmasked();
  for (const char* command : {"current", "check", "lint", "history"}) {
    auto run = strata("--url '" + typo + "' " + command);
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), run.status == 0 ? 0 : 1)
        << command << ": " << run.err;
  }
  auto current = strata("--url '" + typo + "' current");
  EXPECT_EQ(current.status, 1);
  if (is_sqlite()) {
    EXPECT_EQ(current.err, "strata: no database at " + (dir() / "typo" / "app.db").string() +
                               "; check the URL, or run `strata upgrade` to create it\n");
    EXPECT_FALSE(fs::exists(dir() / "typo"));
    // mode=rw in the URL asks the same of any command.
    auto rw = strata("--url 'sqlite:///typo/app.db?mode=rw' upgrade head");
    EXPECT_EQ(rw.status, 1);
    EXPECT_NE(rw.err.find("no SQLite database at " + (dir() / "typo" / "app.db").string()),
              std::string::npos)
        << rw.err;
    EXPECT_FALSE(fs::exists(dir() / "typo"));
    // Commands that write make the file and its folder, as they always did.
    ASSERT_EQ(strata("-q --url " + typo + " upgrade head").status, 0);
    EXPECT_EQ(strata("--url " + typo + " current").out, "bbbb11112222 (head)\n");
    EXPECT_TRUE(fs::exists(dir() / "typo" / "app.db"));
  } else {
    EXPECT_NE(current.err.find("strata_typo_database"), std::string::npos) << current.err;
    auto found = make_engine()
                     .connect()
                     .execute(
                         "SELECT count(*) FROM pg_database WHERE datname = "
                         "'strata_typo_database'")
                     .scalar<std::int64_t>();
    EXPECT_EQ(found, 0);
  }
}

// Reads from `fd` until `text` has come, the process has ended, or a minute has passed.
std::string read_until(int fd, std::string_view text) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (got.find(text) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd ready{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&ready, 1, static_cast<int>(left.count())) <= 0) break;
    std::array<char, 4096> buffer{};
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0) break;
    got.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return got;
}

// Into a pipe (or a file) stdout is buffered: a run killed in its third revision showed none of
// the lines of the two it had done. Each line is now written as its step starts.
TEST_P(MigrateCli, ProgressReachesAPipeLineByLine) {
  write("20250103_0000_cccc11112222_forever.yaml",
        "revision: cccc11112222\ndown_revision: bbbb11112222\nmessage: forever\nupgrade:\n"
        "  - execute:\n"
        "      sql: WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT count(*) FROM n\n"
        "      postgresql: SELECT pg_sleep(600)\n"
        "downgrade: []\n");
  std::array<int, 2> out{};
  ASSERT_EQ(::pipe2(out.data(), O_CLOEXEC), 0);
  pid_t run = start_strata(dir(), {"upgrade", "head"}, out[1]);
  ::close(out[1]);
  ASSERT_GT(run, 0);
  std::string lines = read_until(out[0], "-> cccc11112222, forever\n");
  ::kill(run, SIGKILL);
  int status = 0;
  ::waitpid(run, &status, 0);
  lines += read_until(out[0], "nothing more: the pipe ends with the process");
  ::close(out[0]);
  // The server runs the sleep on, for a client it cannot yet see gone.
  if (!is_sqlite()) {
    make_engine().connect().execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  }
  EXPECT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed";
  EXPECT_EQ(lines,
            "Running upgrade <base> -> aaaa11112222, init\n"
            "Running upgrade aaaa11112222 -> bbbb11112222, add email\n"
            "Running upgrade bbbb11112222 -> cccc11112222, forever\n");
  EXPECT_EQ(strata("current").out, "bbbb11112222\n");
}

STRATA_ON_BOTH_BACKENDS(MigrateCli);

}  // namespace
}  // namespace strata::test
