// A fixture that migrates a test database the way a user does: autogenerate a revision from
// the models, write its file, upgrade through the Runner; downgrade one step back.
#pragma once

#include <filesystem>
#include <fstream>
#include <strata/autogen/compare.hpp>
#include <strata/migrate/revision_writer.hpp>
#include <strata/migrate/runner.hpp>
#include <strata/migrate/script_directory.hpp>

#include "support/backends.hpp"

namespace strata::test {

class AutogenTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::filesystem::create_directories(dir() / "migrations" / "versions");
    engine_.emplace(make_engine());
  }

  Engine& engine() { return *engine_; }

  // Autogenerates the revision from the database to `model`, writes it and upgrades to it.
  autogen::Comparison step(const MetaData& model) {
    auto c = autogen::compare(model, engine(), options_);
    std::string id = fmt_id(++revisions_);
    migrate::Revision r;
    r.id = id;
    if (!heads_.empty()) r.down_revisions = {heads_.back()};
    r.message = "step " + id;
    r.upgrade = c.upgrade;
    r.downgrade = c.downgrade;
    r.has_downgrade = true;
    last_text_ = migrate::write_revision(r, c.comments);
    std::ofstream(file_of(id)) << last_text_;
    heads_.push_back(id);
    auto scripts = migrate::ScriptDirectory::load(dir() / "migrations");
    migrate::Runner(engine(), scripts).upgrade("heads");
    return c;
  }

  // Reverts the newest revision and deletes its file, as an author does who rewrites it.
  void downgrade_one() {
    {
      auto scripts = migrate::ScriptDirectory::load(dir() / "migrations");
      migrate::Runner(engine(), scripts).downgrade("-1");
    }
    std::filesystem::remove(file_of(heads_.back()));
    heads_.pop_back();
  }

  // What still differs between the database and `model`.
  std::vector<std::string> differences(const MetaData& model) {
    return autogen::compare(model, engine(), options_).describe();
  }

  std::filesystem::path file_of(const std::string& id) const {
    return dir() / "migrations" / "versions" / ("20260101_0000_" + id + "_step.yaml");
  }

  static std::string fmt_id(int n) {
    std::string digits = std::to_string(n);
    return std::string(12 - digits.size(), 'a') + digits;
  }

  autogen::CompareOptions options_;
  std::string last_text_;

 private:
  std::optional<Engine> engine_;
  std::vector<std::string> heads_;
  int revisions_ = 0;
};

}  // namespace strata::test
