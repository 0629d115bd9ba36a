// A database test with a migrations folder: revision files written into it, loaded as a
// ScriptDirectory, run against a fresh database of the test's backend.
#pragma once

#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <strata/migrate/runner.hpp>
#include <strata/migrate/script_directory.hpp>
#include <string>

#include "support/backends.hpp"

namespace strata::test {

class MigrationsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::filesystem::create_directories(dir() / "migrations" / "versions");
    engine_.emplace(make_engine());
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir() / "migrations" / "versions" / name) << text;
  }
  migrate::ScriptDirectory scripts() {
    return migrate::ScriptDirectory::load(dir() / "migrations");
  }
  // A Runner on the files as they are now. It refers to the ScriptDirectory (and the steps it
  // returns point into it), so the fixture keeps each one it loads until the test ends.
  migrate::Runner runner(migrate::RunnerOptions options = {}) {
    return runner_on(*engine_, std::move(options));
  }
  migrate::Runner runner_on(Engine engine, migrate::RunnerOptions options = {}) {
    return migrate::Runner(std::move(engine), loaded_.emplace_back(scripts()), std::move(options));
  }
  std::int64_t count(const std::string& sql) {
    return engine_->connect().execute(sql).scalar<std::int64_t>();
  }
  void run(const std::string& sql) { engine_->connect().execute_script(sql); }

  std::optional<Engine> engine_;

 private:
  std::deque<migrate::ScriptDirectory> loaded_;
};

}  // namespace strata::test
