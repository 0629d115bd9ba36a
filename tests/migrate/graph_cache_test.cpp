// The links cache of a Contents::graph load: used while files are unchanged, never trusted
// for a file that changed, ignored when damaged or unwritable.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/error.hpp>
#include <strata/migrate/script_directory.hpp>

namespace strata::migrate {
namespace {
namespace fs = std::filesystem;

class GraphCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-cache-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "versions");
    write("20250101_0000_aaaa00000001_a.yaml",
          "revision: aaaa00000001\ndown_revision: null\nmessage: first\nupgrade: []\n");
    write("20250102_0000_bbbb00000001_b.yaml",
          "revision: bbbb00000001\ndown_revision: aaaa00000001\nmessage: second\nupgrade: []\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / "versions" / name) << text;
  }
  ScriptDirectory graph() const { return ScriptDirectory::load(dir_, {}, Contents::graph); }
  fs::path cache() const { return dir_ / "versions" / ".strata-cache"; }
  std::string cache_text() const {
    std::ifstream in(cache());
    return {std::istreambuf_iterator<char>(in), {}};
  }

  fs::path dir_;
};

TEST_F(GraphCacheTest, AnUnchangedFileComesFromTheCacheAndAChangedOneIsReadAgain) {
  auto first = graph();
  ASSERT_TRUE(fs::exists(cache()));
  auto second = graph();
  ASSERT_EQ(second.graph().revisions().size(), 2u);
  EXPECT_EQ(second.graph().get("bbbb").message, "second");
  EXPECT_EQ(second.graph().get("bbbb").checksum, first.graph().get("bbbb").checksum);
  EXPECT_EQ(second.graph().get("bbbb").file,
            dir_ / "versions" / "20250102_0000_bbbb00000001_b.yaml");
  EXPECT_EQ(second.graph().heads(), std::vector<std::string>{"bbbb00000001"});
  // The cache is what answers: a file given another text of its size, and its time back, as
  // `cp -p` can do, still loads what the cache recorded.
  fs::path b = dir_ / "versions" / "20250102_0000_bbbb00000001_b.yaml";
  auto time = fs::last_write_time(b);
  write("20250102_0000_bbbb00000001_b.yaml",
        "revision: bbbb00000001\ndown_revision: aaaa00000001\nmessage: secxnd\nupgrade: []\n");
  fs::last_write_time(b, time);
  EXPECT_EQ(graph().graph().get("bbbb").message, "second");
  // Same size, another content and time: the file is parsed again.
  write("20250102_0000_bbbb00000001_b.yaml",
        "revision: bbbb00000001\ndown_revision: aaaa00000001\nmessage: SECOND\nupgrade: []\n");
  EXPECT_EQ(graph().graph().get("bbbb").message, "SECOND");
  write("20250103_0000_cccc00000001_c.yaml",
        "revision: cccc00000001\ndown_revision: bbbb00000001\nmessage: third\nupgrade: []\n");
  EXPECT_EQ(graph().graph().heads(), std::vector<std::string>{"cccc00000001"});
  fs::remove(dir_ / "versions" / "20250103_0000_cccc00000001_c.yaml");
  EXPECT_EQ(graph().graph().heads(), std::vector<std::string>{"bbbb00000001"});
}

// A cache edited by hand is not believed in any line: the files are read again, and the
// cache is written again as it was.
TEST_F(GraphCacheTest, ACacheEditedByHandIsIgnoredAndWrittenAgain) {
  graph();
  std::string text = cache_text();
  auto at = text.find("\tsecond\n");
  ASSERT_NE(at, std::string::npos) << text;
  std::string edited = text;
  edited.replace(at, 8, "\tcached\n");
  std::ofstream(cache()) << edited;
  EXPECT_FALSE(CachedLinks::load(dir_));
  EXPECT_EQ(graph().graph().get("bbbb").message, "second");
  EXPECT_EQ(cache_text(), text);
  // Cut short, it is no better.
  std::ofstream(cache()) << text.substr(0, text.size() - 10);
  EXPECT_FALSE(CachedLinks::load(dir_));
  EXPECT_EQ(graph().graph().get("bbbb").message, "second");
  EXPECT_EQ(cache_text(), text);
}

// The cache answers `current` alone (heads, labels) only while it lists exactly the files
// there are, each unchanged; it is written only for a graph that passed its checks.
TEST_F(GraphCacheTest, CachedLinksAnswerOnlyWhileEveryFileIsTheOneRecorded) {
  EXPECT_FALSE(CachedLinks::load(dir_));  // no cache yet
  write("20250103_0000_cccc00000001_c.yaml",
        "revision: cccc00000001\ndown_revision: aaaa00000001\nbranch_labels: [side]\n"
        "message: third\nupgrade: []\n");
  auto loaded = graph();
  auto links = CachedLinks::load(dir_);
  ASSERT_TRUE(links);
  EXPECT_EQ(links->heads(), loaded.graph().heads());
  EXPECT_EQ(links->heads(), (std::vector<std::string>{"bbbb00000001", "cccc00000001"}));
  EXPECT_FALSE(links->has_dependencies());
  EXPECT_EQ(links->branch_labels("cccc00000001"), std::vector<std::string>{"side"});
  EXPECT_EQ(links->branch_labels("aaaa00000001"), std::vector<std::string>{});
  EXPECT_EQ(links->branch_labels("ffff00000001"), std::nullopt);
  EXPECT_EQ(links->branch_labels("aaaa"), std::nullopt);  // ids, not prefixes
  // A file changed after the cache was written.
  write("20250103_0000_cccc00000001_c.yaml",
        "revision: cccc00000001\ndown_revision: bbbb00000001\ndepends_on: aaaa00000001\n"
        "message: third\nupgrade: []\n");
  EXPECT_FALSE(CachedLinks::load(dir_));
  graph();
  ASSERT_TRUE(CachedLinks::load(dir_));
  EXPECT_EQ(CachedLinks::load(dir_)->heads(), std::vector<std::string>{"cccc00000001"});
  EXPECT_TRUE(CachedLinks::load(dir_)->has_dependencies());
  // A file added, then one removed.
  write("20250104_0000_dddd00000001_d.yaml",
        "revision: dddd00000001\ndown_revision: cccc00000001\nmessage: fourth\nupgrade: []\n");
  EXPECT_FALSE(CachedLinks::load(dir_));
  graph();
  ASSERT_TRUE(CachedLinks::load(dir_));
  fs::remove(dir_ / "versions" / "20250104_0000_dddd00000001_d.yaml");
  EXPECT_FALSE(CachedLinks::load(dir_));
  // A graph that fails its checks writes no cache: nothing then answers in its place.
  write("20250104_0000_dddd00000001_d.yaml",
        "revision: dddd00000001\ndown_revision: eeee00000001\nmessage: fourth\nupgrade: []\n");
  EXPECT_THROW(graph(), MigrationError);
  EXPECT_FALSE(CachedLinks::load(dir_));
  EXPECT_THROW(graph(), MigrationError);
  fs::remove_all(dir_ / "versions");
  EXPECT_FALSE(CachedLinks::load(dir_));
}

TEST_F(GraphCacheTest, ADamagedCacheIsIgnoredAndABrokenFileStillFails) {
  graph();
  std::ofstream(cache()) << "strata-cache 2\n20250101_0000_aaaa00000001_a.yaml\t1\t2\tx";
  EXPECT_EQ(graph().graph().revisions().size(), 2u);
  std::ofstream(cache()) << "{\"format\": 1, \"files\": {\"x\": [1, 2";
  EXPECT_EQ(graph().graph().revisions().size(), 2u);
  write("20250103_0000_cccc00000001_c.yaml", "revision: cccc00000001\nmessage: [\n");
  EXPECT_THROW(graph(), MigrationError);
  fs::remove(dir_ / "versions" / "20250103_0000_cccc00000001_c.yaml");
  fs::remove(cache());
  fs::permissions(dir_ / "versions", fs::perms::owner_write, fs::perm_options::remove);
  // A folder it cannot write (root writes anyway, and then the cache appears).
  EXPECT_EQ(graph().graph().revisions().size(), 2u);
  fs::permissions(dir_ / "versions", fs::perms::owner_write, fs::perm_options::add);
}

// Every link a graph load reads comes back from the cache as the YAML said it, whatever
// characters the text holds.
TEST_F(GraphCacheTest, LinksWithAnyCharactersComeBackFromTheCacheUnchanged) {
  write("20250103_0000_cccc00000001_c.yaml",
        "revision: cccc00000001\ndown_revision: [aaaa00000001, bbbb00000001]\n"
        "branch_labels: [\"tab\\there\", \"back\\\\slash\"]\n"
        "depends_on: [aaaa00000001]\ntransactional: false\ncreated: 2025-01-03T00:00:00Z\n"
        "message: \"two\\nlines, a \\x1f unit separator and \\u00e9\"\nupgrade: []\n");
  auto parsed = graph();
  std::string text = cache_text();
  ASSERT_NE(text.find("20250103_0000_cccc00000001_c.yaml\t"), std::string::npos) << text;
  auto cached = graph();
  const Revision& a = parsed.graph().get("cccc");
  const Revision& b = cached.graph().get("cccc");
  EXPECT_EQ(a.message, "two\nlines, a \x1f unit separator and \u00e9");
  EXPECT_EQ(b.message, a.message);
  EXPECT_EQ(b.branch_labels, (std::vector<std::string>{"tab\there", "back\\slash"}));
  EXPECT_EQ(b.down_revisions, a.down_revisions);
  EXPECT_EQ(b.depends_on, std::vector<std::string>{"aaaa00000001"});
  EXPECT_FALSE(b.transactional);
  EXPECT_EQ(b.created, "2025-01-03T00:00:00Z");
  EXPECT_EQ(b.checksum, a.checksum);
  EXPECT_EQ(cached.graph().heads(), std::vector<std::string>{"cccc00000001"});
}

// A file name the cache has to escape is still found in it: the cache, not the file, answers
// (the file holds another text of its size, with its time put back), and the cache is fresh.
TEST_F(GraphCacheTest, AFileNameWithTabsAndBackslashesIsFoundInTheCache) {
  std::string name = "20250103_0000_cccc00000001_tab\there\\and.yaml";
  write(name, "revision: cccc00000001\ndown_revision: bbbb00000001\nmessage: third\n");
  graph();
  auto time = fs::last_write_time(dir_ / "versions" / name);
  write(name, "revision: cccc00000001\ndown_revision: bbbb00000001\nmessage: thxrd\n");
  fs::last_write_time(dir_ / "versions" / name, time);
  auto loaded = graph();
  const Revision& r = loaded.graph().get("cccc");
  EXPECT_EQ(r.message, "third");
  EXPECT_EQ(r.file, dir_ / "versions" / name);
  auto links = CachedLinks::load(dir_);
  ASSERT_TRUE(links);
  EXPECT_EQ(links->heads(), std::vector<std::string>{"cccc00000001"});
}

}  // namespace
}  // namespace strata::migrate
