#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <strata/core/config.hpp>
#include <strata/core/error.hpp>

namespace strata {
namespace {
namespace fs = std::filesystem;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strata-config-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_ / "sub" / "deeper");
    old_cwd_ = fs::current_path();
    ::unsetenv("DATABASE_URL");
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    ::unsetenv("DATABASE_URL");
    fs::remove_all(dir_);
  }
  fs::path write(const std::string& text, const std::string& name = "strata.toml") {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::string load_error(const std::string& text) {
    try {
      Config::load(write(text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  }

  fs::path dir_;
  fs::path old_cwd_;
};

TEST_F(ConfigTest, FoundInParentFolderAndResolvedAgainstIt) {
  write("[database]\nurl = \"sqlite:///data/app.db\"\n[migrations]\nscript_location = \"mig\"\n");
  fs::current_path(dir_ / "sub" / "deeper");
  auto config = Config::resolve();
  EXPECT_EQ(config.file(), fs::canonical(dir_ / "strata.toml"));
  EXPECT_EQ(config.database_url().database(), (fs::canonical(dir_) / "data/app.db").string());
  EXPECT_EQ(config.script_location(), fs::canonical(dir_) / "mig");
  EXPECT_EQ(config.version_table(), "strata_version");
}

TEST_F(ConfigTest, DatabaseUrlFromEnvironmentWinsAndOverrideWinsOverIt) {
  write("[database]\nurl = \"sqlite:///file.db\"\n");
  fs::current_path(dir_);
  ::setenv("DATABASE_URL", "postgresql://u:pw@h/envdb", 1);
  auto config = Config::resolve();
  EXPECT_EQ(config.database_url().database(), "envdb");
  config.set_url_override("sqlite:///cli.db");
  EXPECT_EQ(config.database_url().database(), (fs::canonical(dir_) / "cli.db").string());
}

// Relative to the working directory, where the variable was set, not to strata.toml's folder.
TEST_F(ConfigTest, MigrationsDirFromEnvironmentWinsOverScriptLocation) {
  write("[migrations]\nscript_location = \"mig\"\n");
  fs::current_path(dir_ / "sub");
  ::setenv("MIGRATIONS_DIR", "deeper/versions-here", 1);
  auto config = Config::resolve(dir_ / "strata.toml");
  ::unsetenv("MIGRATIONS_DIR");
  EXPECT_EQ(config.script_location(), fs::current_path() / "deeper/versions-here");
  EXPECT_EQ(Config::resolve(dir_ / "strata.toml").script_location(), dir_ / "mig");
}

TEST_F(ConfigTest, PoolSettingsMergeUnderUrlParameters) {
  write("[database]\nurl = \"sqlite:///a.db?pool_size=2\"\npool_size = 9\npool_timeout = 1.5\n");
  auto url = Config::load(dir_ / "strata.toml").database_url();
  EXPECT_EQ(url.param("pool_size"), "2");
  EXPECT_EQ(url.param("pool_timeout"), "1.5");
}

TEST_F(ConfigTest, WithoutFileOrUrlTheErrorSaysWhatToDo) {
  fs::current_path(dir_ / "sub");
  auto config = Config::resolve();
  EXPECT_TRUE(config.file().empty());
  try {
    config.database_url();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("DATABASE_URL"), std::string::npos);
  }
}

TEST_F(ConfigTest, MalformedFilesNameFileLineAndKey) {
  auto syntax = load_error("[database]\nurl = \n");
  EXPECT_NE(syntax.find("strata.toml:2"), std::string::npos) << syntax;
  auto unknown = load_error("[database]\nurl = \"sqlite://\"\nurll = \"x\"\n");
  EXPECT_NE(unknown.find("strata.toml:3: unknown key 'database.urll'"), std::string::npos)
      << unknown;
  auto section = load_error("[databse]\nurl = \"x\"\n");
  EXPECT_NE(section.find("unknown section 'databse'"), std::string::npos) << section;
  auto type = load_error("[database]\nurl = 5\n");
  EXPECT_NE(type.find("'database.url' must be a string"), std::string::npos) << type;
}

TEST_F(ConfigTest, NamingConventionTemplates) {
  write("[naming_convention]\nix = \"idx_{table}_{columns}\"\nfk = \"{table}_fk\"\n");
  auto config = Config::load(dir_ / "strata.toml");
  EXPECT_EQ(config.naming_convention().at("ix"), "idx_{table}_{columns}");
  EXPECT_EQ(config.naming_convention().size(), 2u);
  auto bad = load_error("[naming_convention]\nindex = \"x\"\n");
  EXPECT_NE(bad.find("strata.toml:2: unknown key 'naming_convention.index'"), std::string::npos)
      << bad;
}

TEST_F(ConfigTest, AutogenerateIncludeAndExcludePatterns) {
  write("[autogenerate]\ninclude = [\"app_*\", \"users\"]\nexclude = [\"app_tmp_*\"]\n");
  auto config = Config::load(dir_ / "strata.toml");
  EXPECT_EQ(config.autogenerate_include(), (std::vector<std::string>{"app_*", "users"}));
  EXPECT_EQ(config.autogenerate_exclude(), (std::vector<std::string>{"app_tmp_*"}));
  auto defaults = Config::load(write("[database]\nurl = \"sqlite://\"\n"));
  EXPECT_TRUE(defaults.autogenerate_include().empty());
  auto bad_key = load_error("[autogenerate]\nignore = [\"x\"]\n");
  EXPECT_NE(bad_key.find("strata.toml:2: unknown key 'autogenerate.ignore'"), std::string::npos)
      << bad_key;
  auto not_list = load_error("[autogenerate]\ninclude = \"x\"\n");
  EXPECT_NE(not_list.find("'autogenerate.include' must be a list"), std::string::npos) << not_list;
  auto not_text = load_error("[autogenerate]\nexclude = [1]\n");
  EXPECT_NE(not_text.find("'autogenerate.exclude' must be a string"), std::string::npos)
      << not_text;
}

TEST_F(ConfigTest, NamedConfigMustExist) {
  EXPECT_THROW(Config::resolve(dir_ / "missing.toml"), ConfigError);
}

}  // namespace
}  // namespace strata
