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
  // The cache is what answers: a message changed in it, and not in the file, is what loads.
  std::string text = cache_text();
  auto at = text.find("\tsecond\n");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 8, "\tcached\n");
  std::ofstream(cache()) << text;
  EXPECT_EQ(graph().graph().get("bbbb").message, "cached");
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

// Lines are found by name, not by their place: a cache edited out of order still answers, and
// a name given twice keeps its first line.
TEST_F(GraphCacheTest, LinesOutOfOrderAreFoundAndANameTwiceKeepsItsFirstLine) {
  graph();
  std::string text = cache_text();
  auto a = text.find("\tfirst\n");
  auto b = text.find("\tsecond\n");
  ASSERT_TRUE(a != std::string::npos && b != std::string::npos && a < b) << text;
  auto header_end = text.find('\n') + 1;
  std::string line_a = text.substr(header_end, a + 7 - header_end);
  std::string line_b = text.substr(a + 7, b + 8 - (a + 7));
  auto renamed = [](std::string line, const std::string& from, const std::string& to) {
    return line.replace(line.find(from), from.size(), to);
  };
  std::ofstream(cache()) << text.substr(0, header_end)
                         << renamed(line_b, "\tsecond\n", "\tcached b\n")
                         << renamed(line_a, "\tfirst\n", "\tcached a\n")
                         << renamed(line_b, "\tsecond\n", "\tignored\n");
  auto loaded = graph();
  EXPECT_EQ(loaded.graph().get("aaaa").message, "cached a");
  EXPECT_EQ(loaded.graph().get("bbbb").message, "cached b");
  EXPECT_EQ(loaded.graph().heads(), std::vector<std::string>{"bbbb00000001"});
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

// A file name the cache has to escape is still found in it: the cache, not the file, answers.
TEST_F(GraphCacheTest, AFileNameWithTabsAndBackslashesIsFoundInTheCache) {
  std::string name = "20250103_0000_cccc00000001_tab\there\\and.yaml";
  write(name, "revision: cccc00000001\ndown_revision: bbbb00000001\nmessage: third\n");
  graph();
  std::string text = cache_text();
  auto at = text.find("\tthird\n");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 7, "\tcache\n");
  std::ofstream(cache()) << text;
  auto loaded = graph();
  const Revision& r = loaded.graph().get("cccc");
  EXPECT_EQ(r.message, "cache");
  EXPECT_EQ(r.file, dir_ / "versions" / name);
}

}  // namespace
}  // namespace strata::migrate
