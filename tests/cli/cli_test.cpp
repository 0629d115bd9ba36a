// The strata binary, run as users run it: exit status, stdout, stderr, files written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "cli_runner.hpp"
#include "strata/core/config.hpp"
#include "strata/core/error.hpp"
#include "strata/migrate/script_directory.hpp"

namespace {
namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string out;  // stdout, then stderr
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-cli-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `program` replaces the strata binary (to run it under another command).
  Outcome strata(const std::string& args, const std::string& env = "",
                 const std::string& program = STRATA_CLI_PATH) const {
    auto run = strata::test::run_strata(dir_, args, env, program);
    return Outcome{run.status, run.out + run.err};
  }

  fs::path dir_;
};

TEST_F(Cli, InitWritesConfigAndVersionsFolder) {
  auto run = strata("init db/migrations");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_TRUE(fs::is_directory(dir_ / "db/migrations/versions"));
  std::ifstream ignore(dir_ / "db/migrations/versions/.gitignore");
  std::string ignored((std::istreambuf_iterator<char>(ignore)), {});
  EXPECT_NE(ignored.find(".strata-cache*"), std::string::npos) << ignored;
  std::ifstream in(dir_ / "strata.toml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("script_location = \"db/migrations\""), std::string::npos) << text;
  EXPECT_NE(text.find("url = \"sqlite:///data/app.db\""), std::string::npos) << text;
}

TEST_F(Cli, InitRefusesToOverwriteAndExitsTwo) {
  ASSERT_EQ(strata("init").status, 0);
  std::ofstream(dir_ / "strata.toml", std::ios::app) << "# mine\n";
  auto run = strata("init");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find("strata.toml already exists"), std::string::npos) << run.out;
  std::ifstream in(dir_ / "strata.toml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("# mine"), std::string::npos);
}

TEST_F(Cli, HelpShowsTheUrlMasked) {
  auto run = strata("--help", "DATABASE_URL=postgresql://app:hunter2@db/app");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(run.out.find("database: postgresql://app:***@db/app"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("hunter2"), std::string::npos) << run.out;
}

// strata.toml names the folder relative to itself, wherever --config puts it; odd names are
// quoted, so the file parses.
TEST_F(Cli, InitElsewhereWritesAConfigThatFindsItsFolder) {
  auto run = strata("--config cfg/strata.toml init 'my \"mig\"'");
  ASSERT_EQ(run.status, 0) << run.out;
  EXPECT_TRUE(fs::is_directory(dir_ / "my \"mig\"" / "versions"));
  auto made = strata("--config cfg/strata.toml revision -m first");
  EXPECT_EQ(made.status, 0) << made.out;
  EXPECT_NE(made.out.find("my \"mig\"/versions/"), std::string::npos) << made.out;
  fs::create_directories(dir_ / "sub");
  auto up = strata::test::run_strata(dir_ / "sub", "--config ../x/strata.toml init migrations");
  ASSERT_EQ(up.status, 0) << up.err;
  auto in_up = strata::test::run_strata(dir_ / "sub", "--config ../x/strata.toml heads");
  EXPECT_EQ(in_up.status, 0) << in_up.err;
  // A failed init leaves no strata.toml behind to refuse the next attempt.
  std::ofstream(dir_ / "sub" / "taken") << "a file, not a folder";
  auto clash = strata::test::run_strata(dir_ / "sub", "--config y.toml init taken");
  EXPECT_EQ(clash.status, 1);
  EXPECT_FALSE(fs::exists(dir_ / "sub" / "y.toml"));
  auto json = strata("--json init other");
  EXPECT_EQ(json.status, 0) << json.out;
  EXPECT_EQ(json.out, "{\"config\":\"strata.toml\",\"versions\":\"other/versions\"}\n");
}

// Usage errors are one line on stderr, naming the help to read, and exit 2.
TEST_F(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(strata("").status, 2);
  EXPECT_EQ(strata("--no-such-flag init").status, 2);
  auto missing_target = strata::test::run_strata(dir_, "downgrade");
  EXPECT_EQ(missing_target.status, 2);
  EXPECT_EQ(missing_target.out, "");
  EXPECT_EQ(missing_target.err, "strata: TARGET is required (see `strata downgrade --help`)\n");
  ASSERT_EQ(strata("init").status, 0);
  for (const char* bad :
       {"history -r aaaa", "upgrade aaaa:bbbb", "show base", "revision -m x --rev-id my_rev",
        "revision -m x --rev-id ABCD", "revision -m x --branch-label a@b"}) {
    auto run = strata::test::run_strata(dir_, bad);
    EXPECT_EQ(run.status, 2) << bad << ": " << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << bad << ": " << run.err;
  }
  auto missing = strata("--config missing.toml --help");
  EXPECT_NE(missing.out.find("config file missing.toml does not exist"), std::string::npos)
      << missing.out;
}

// --depends-on takes any target form and writes the full id; a label names one branch only.
TEST_F(Cli, RevisionLinksAreCheckedBeforeTheFileIsWritten) {
  ASSERT_EQ(strata("init").status, 0);
  ASSERT_EQ(strata("revision -m a --rev-id aaaa11112222 --branch-label base_a").status, 0);
  ASSERT_EQ(strata("revision -m b --head base --rev-id bbbb11112222").status, 0);
  auto dep = strata("revision -m c --head bbbb --rev-id cccc11112222 --depends-on base_a@head");
  ASSERT_EQ(dep.status, 0) << dep.out;
  std::ifstream in(dep.out.substr(0, dep.out.find('\n')));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("depends_on: [aaaa11112222]"), std::string::npos) << text;
  EXPECT_EQ(strata("revision -m d --depends-on nosuch").status, 1);
  EXPECT_EQ(strata("revision -m d --head cccc --depends-on base").status, 2);
  auto twice = strata("revision -m e --head bbbb --splice --branch-label base_a");
  EXPECT_EQ(twice.status, 2);
  EXPECT_NE(twice.out.find("is taken: a label names one branch, and revision aaaa11112222 ("),
            std::string::npos)
      << twice.out;
  auto heads = strata("heads");
  EXPECT_EQ(heads.status, 0) << heads.out;
  // Two heads now (a's line and c's): show takes one revision, not several.
  auto several = strata("show heads");
  EXPECT_EQ(several.status, 2);
  EXPECT_NE(several.out.find("'heads' names 2 revisions"), std::string::npos) << several.out;
}

// `current` reads the database and the files at once: an unreachable database is one line with
// its URL masked, and a broken revision file is still what it reports first.
TEST_F(Cli, CurrentNamesAnUnreachableDatabaseAndABrokenFileFirst) {
  ASSERT_EQ(strata("init").status, 0);
  std::ofstream(dir_ / "migrations/versions/20250101_0000_aaaa11112222_init.yaml")
      << "revision: aaaa11112222\ndown_revision: null\nupgrade: []\n";
  std::ofstream(dir_ / "garbage.db") << std::string(4096, 'x');
  for (const std::string& url :
       std::vector<std::string>{"postgresql://app:hunter2@127.0.0.1:1/app",
                                "sqlite:///" + (dir_ / "garbage.db").string()}) {
    auto down = strata("current", "DATABASE_URL=" + url);
    EXPECT_EQ(down.status, 1) << down.out;
    EXPECT_EQ(std::count(down.out.begin(), down.out.end(), '\n'), 1) << down.out;
    EXPECT_EQ(down.out.find("hunter2"), std::string::npos) << down.out;
    std::string shown = url.starts_with("sqlite") ? url : "postgresql://app:***@127.0.0.1:1/app";
    EXPECT_NE(down.out.find(shown), std::string::npos) << down.out;
  }
  std::ofstream(dir_ / "migrations/versions/20250102_0000_bbbb11112222_bad.yaml")
      << "revision: bbbb11112222\ndown_revision: [\n";
  auto both = strata("current", "DATABASE_URL=postgresql://app:hunter2@127.0.0.1:1/app");
  EXPECT_EQ(both.status, 1) << both.out;
  EXPECT_NE(both.out.find("20250102_0000_bbbb11112222_bad.yaml"), std::string::npos) << both.out;
}

TEST_F(Cli, MalformedConfigIsOneLineNamingFileAndLine) {
  std::ofstream(dir_ / "strata.toml") << "[database]\nurl = 5\n";
  auto run = strata("--help");
  EXPECT_NE(run.out.find("strata.toml:2: 'database.url' must be a string"), std::string::npos)
      << run.out;
}

}  // namespace

namespace {

// Colour is for people at a terminal: `script` gives the command one; a pipe, NO_COLOR and
// --json get plain text.
TEST_F(Cli, ColourOnlyOnATerminal) {
  ASSERT_EQ(strata("init").status, 0);
  std::ofstream(dir_ / "migrations/versions/20250101_0000_aaaa11112222_init.yaml")
      << "revision: aaaa11112222\ndown_revision: null\nupgrade: []\n";
  const std::string esc = "\x1b[";
  EXPECT_EQ(strata("heads").out, "aaaa11112222 (head)\n");
  auto tty = strata("-c '" + std::string(STRATA_CLI_PATH) + " heads' /dev/null", "", "script -qe");
  EXPECT_NE(tty.out.find(esc), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("aaaa11112222"), std::string::npos) << tty.out;
  auto no_color = strata("-c '" + std::string(STRATA_CLI_PATH) + " heads' /dev/null", "NO_COLOR=1",
                         "script -qe");
  EXPECT_EQ(no_color.out.find(esc), std::string::npos) << no_color.out;
}

}  // namespace

namespace {

// The version CMake configured this build with, read from the cache of the build the binary
// belongs to.
std::string cmake_project_version() {
  const std::string key = "CMAKE_PROJECT_VERSION:STATIC=";
  for (fs::path dir = fs::path(STRATA_CLI_PATH).parent_path(); dir != dir.parent_path();
       dir = dir.parent_path()) {
    std::ifstream in(dir / "CMakeCache.txt");
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with(key)) return line.substr(key.size());
    }
  }
  return "";
}

TEST_F(Cli, VersionIsTheCMakeProjects) {
  std::string version = cmake_project_version();
  ASSERT_FALSE(version.empty());
  for (const char* args : {"--version", "-V", "version", "--url sqlite:///x.db --version"}) {
    auto run = strata::test::run_strata(dir_, args);
    EXPECT_EQ(run.status, 0) << args << ": " << run.err;
    EXPECT_EQ(run.out, "strata " + version + "\n") << args;
  }
  EXPECT_EQ(strata("version --json").out, "{\"version\":\"" + version + "\"}\n");
  // Embedded, it is strata's version that is printed, not the application's.
  auto app = strata::test::run_strata(dir_, "--version", "", STRATA_APP_PATH);
  EXPECT_EQ(app.status, 0) << app.err;
  EXPECT_EQ(app.out, "strata " + version + "\n");
}

TEST_F(Cli, EachCommandsHelpMentionsTheGlobalOptions) {
  auto run = strata("upgrade --help");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_NE(
      run.out.find("Also: --config FILE, --url URL, --json, -q, -v, -V (see `strata --help`)"),
      std::string::npos)
      << run.out;
}

TEST_F(Cli, UnknownCommandNamesTheNearestOnes) {
  auto typo = strata::test::run_strata(dir_, "upgrad head");
  EXPECT_EQ(typo.status, 2);
  EXPECT_EQ(typo.out, "");
  EXPECT_EQ(typo.err, "strata: unknown command 'upgrad'; did you mean 'upgrade'?\n");
  auto after_options = strata::test::run_strata(dir_, "--url sqlite:///x.db --json histroy");
  EXPECT_EQ(after_options.status, 2);
  EXPECT_EQ(after_options.err, "strata: unknown command 'histroy'; did you mean 'history'?\n");
  EXPECT_EQ(strata::test::run_strata(dir_, "hist").err,
            "strata: unknown command 'hist'; did you mean 'history'?\n");
  auto nothing_near = strata::test::run_strata(dir_, "frobnicate");
  EXPECT_EQ(nothing_near.status, 2);
  EXPECT_EQ(nothing_near.err, "strata: unknown command 'frobnicate' (see `strata --help`)\n");
  auto app = strata::test::run_strata(dir_, "curent", "", STRATA_APP_PATH);
  EXPECT_EQ(app.status, 2);
  EXPECT_EQ(app.err, "app: unknown command 'curent'; did you mean 'current'?\n");
}

// As in Alembic: a revision after one that already has a follower starts a branch, which
// --splice asks for.
TEST_F(Cli, RevisionAfterANonHeadNeedsSplice) {
  ASSERT_EQ(strata("init").status, 0);
  ASSERT_EQ(strata("revision -m a --rev-id aaaa11112222").status, 0);
  ASSERT_EQ(strata("revision -m b --rev-id bbbb11112222").status, 0);
  auto refused = strata::test::run_strata(dir_, "revision -m c --head aaaa");
  EXPECT_EQ(refused.status, 2);
  EXPECT_EQ(refused.err,
            "strata: revision aaaa11112222 is not a head revision; pass --splice to create a new "
            "branch from it\n");
  auto versions = dir_ / "migrations/versions";
  auto count = [&] {
    return std::count_if(fs::directory_iterator(versions), {},
                         [](const auto& e) { return e.path().extension() == ".yaml"; });
  };
  EXPECT_EQ(count(), 2);
  auto spliced = strata("revision -m c --head aaaa --splice --rev-id cccc11112222");
  ASSERT_EQ(spliced.status, 0) << spliced.out;
  std::ifstream in(spliced.out.substr(0, spliced.out.find('\n')));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("down_revision: aaaa11112222"), std::string::npos) << text;
  EXPECT_EQ(strata("heads").out, "bbbb11112222 (head)\ncccc11112222 (head)\n");
  // A head needs no --splice; a merge names its revisions whatever they are.
  EXPECT_EQ(strata("revision -m d --head cccc --rev-id dddd11112222").status, 0);
  EXPECT_EQ(strata("merge bbbb dddd -m join").status, 0);
}

// Without strata.toml or its migrations folder the project is not set up: a configuration
// error (2) from every command, in one line, with the command line's advice.
TEST_F(Cli, AMissingProjectExitsTwoFromEveryCommand) {
  std::ofstream(dir_ / "elsewhere.toml") << "[database]\nurl = \"sqlite:///x.db\"\n";
  for (const std::string config : {"", "--config elsewhere.toml "}) {
    for (const char* command :
         {"current", "upgrade head", "upgrade --sql", "downgrade -1", "downgrade base:head --sql",
          "stamp head", "heads", "branches", "history", "show head", "revision -m x",
          "merge heads -m x", "check", "lint", "verify", "schema"}) {
      auto run = strata::test::run_strata(dir_, config + command);
      EXPECT_EQ(run.status, 2) << config << command << ": " << run.err;
      EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << command << ": " << run.err;
      EXPECT_NE(run.err.find("run `strata init`"), std::string::npos) << command << ": " << run.err;
    }
  }
  EXPECT_NE(strata("current").out.find("no database URL"), std::string::npos);
  auto embedded =
      strata::test::run_strata(dir_, "--config elsewhere.toml heads", "", STRATA_APP_PATH);
  EXPECT_EQ(embedded.status, 2);
  EXPECT_NE(embedded.err.find("/migrations/versions does not exist: "), std::string::npos)
      << embedded.err;
  EXPECT_NE(embedded.err.find("run `app init`"), std::string::npos) << embedded.err;
}

// Inside a user's program there is no `strata` to run: the library says what is wrong, and the
// command line adds how to put it right with its own commands.
TEST_F(Cli, LibraryErrorsGiveNoCommandLineAdvice) {
  auto message_of = [](auto&& f) -> std::string {
    try {
      f();
    } catch (const strata::Error& e) {
      return e.what();
    }
    return "no error";
  };
  auto folder = dir_ / "migrations";
  std::string missing = message_of([&] { strata::migrate::ScriptDirectory::load(folder); });
  EXPECT_EQ(missing, (folder / "versions").string() +
                         " does not exist: a script directory keeps its revision files there");
  ::unsetenv("DATABASE_URL");
  std::string no_url = message_of([] { strata::Config{}.database_url(); });
  EXPECT_NE(no_url.find("no database URL"), std::string::npos) << no_url;
  std::string no_revisions =
      message_of([] { strata::migrate::RevisionGraph({}).resolve("head", {}); });
  EXPECT_NE(no_revisions.find("there are no revisions yet"), std::string::npos) << no_revisions;
  for (const auto& message : {missing, no_url, no_revisions}) {
    EXPECT_EQ(message.find("strata "), std::string::npos) << message;
    EXPECT_EQ(message.find("--"), std::string::npos) << message;
  }
  ASSERT_EQ(strata("init").status, 0);
  fs::remove_all(folder);
  auto cli = strata::test::run_strata(dir_, "heads");
  EXPECT_EQ(cli.err,
            "strata: " + missing + "; run `strata init`, or set script_location in strata.toml\n");
}

// Each advice the command line adds is found by a phrase of the library's message: a reworded
// message would lose it silently, so each is pinned here.
TEST_F(Cli, EachLibraryMessageGetsItsAdvice) {
  ASSERT_EQ(strata("init").status, 0);
  ASSERT_EQ(strata("revision -m a --rev-id aaaa00000001").status, 0);
  ASSERT_EQ(strata("revision -m b --head base --rev-id bbbb00000001").status, 0);
  auto heads = strata("upgrade head");
  EXPECT_NE(heads.out.find("; `strata merge heads -m MSG` writes it"), std::string::npos)
      << heads.out;
  auto offline = strata("downgrade --sql base");
  EXPECT_NE(offline.out.find("; `downgrade --sql` is the offline one"), std::string::npos)
      << offline.out;
  std::ofstream(dir_ / "strata.toml") << "[migrations]\nscript_location = \"migrations\"\n";
  auto no_url = strata("current", "DATABASE_URL=");
  EXPECT_NE(no_url.out.find("no [database] url; set one"), std::string::npos) << no_url.out;
  EXPECT_NE(no_url.out.find("; or pass --url"), std::string::npos) << no_url.out;
}

// `upgrade -1` steps down and `downgrade +1` up: a usage error, not "nothing to do".
TEST_F(Cli, RelativeStepsAgainstTheCommandsDirectionAreRefused) {
  ASSERT_EQ(strata("init").status, 0);
  auto up = strata("upgrade -1");
  EXPECT_EQ(up.status, 2) << up.out;
  EXPECT_EQ(up.out, "strata: upgrade goes up, and '-1' steps down: run `strata downgrade -1`\n");
  auto down = strata("downgrade +2 --sql");
  EXPECT_EQ(down.status, 2) << down.out;
  EXPECT_EQ(down.out, "strata: downgrade goes down, and '+2' steps up: run `strata upgrade +2`\n");
}

}  // namespace
