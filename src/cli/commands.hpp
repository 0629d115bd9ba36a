// What the command line's parts share: the global options and how they become a Config.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/config.hpp"

namespace strata::cli {

struct Options {
  std::string program = "strata";
  std::string config_file;
  std::string url;
  bool json = false;
  bool quiet = false;
  bool verbose = false;
};

Config load_config(const Options& options);
// Prints a result: `json` with --json, else `text` (nothing with -q).
void print(const Options& options, const std::string& text, const std::string& json);

// What `revision` and `merge` write.
struct NewRevision {
  std::string message;
  std::string head = "head";                // the revision the new one follows
  std::vector<std::string> down_revisions;  // given: a merge of these
  bool root = false;                        // a new base (--head base)
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string rev_id;
};

// Writes a new revision file and prints its path.
int write_revision(const Options& options, const NewRevision& spec);

// upgrade, downgrade, current, heads, history, stamp.
class MigrationCommands {
 public:
  MigrationCommands(CLI::App& app, const Options& options);
  // The exit status of the command that was parsed; nullopt when none of these was.
  std::optional<int> run();

 private:
  int upgrade(bool up);
  int current();
  int heads();
  int history();
  int stamp();
  int schema();

  const Options& options_;
  CLI::App* upgrade_;
  CLI::App* downgrade_;
  CLI::App* current_;
  CLI::App* heads_;
  CLI::App* history_;
  CLI::App* stamp_;
  CLI::App* schema_;
  std::string dialect_;
  std::string target_ = "heads";
  std::string range_;
  bool allow_changed_ = false;
};

}  // namespace strata::cli
