// What the command line's parts share: the global options and how they become a Config.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "strata/core/config.hpp"
#include "strata/engine/engine.hpp"
#include "strata/migrate/script_directory.hpp"

namespace strata::cli {

struct Options {
  std::string program = "strata";
  std::string config_file;
  std::string url;
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool colour = false;  // stdout is a terminal, NO_COLOR is unset, and --json is not given
  const MetaData* models = nullptr;  // the application's, when embedded
};

// The application's models, or a ConfigError saying that `what` needs them.
const MetaData& models_or_throw(const Options& options, std::string_view what);

// For every option or argument that takes revisions, targets or ranges: none holds '/', '=' or a
// space, so such a word is a database URL typed in the wrong place. It is refused before any
// part of it can be echoed back in a message.
const CLI::Validator& not_a_url();

enum class Colour { revision, head, warning };
// `text` in the colour for `what` when options.colour, else plain.
std::string paint(const Options& options, std::string_view text, Colour what);
// "ae1027a6acf (branch) (head)", as Alembic prints a revision.
std::string decorated(const Options& options, const migrate::RevisionGraph& graph,
                      const std::string& id);
// The same from what is known of the revision: its branch labels (nullopt when no file
// defines it) and whether it is a head.
std::string decorated(const Options& options, const std::string& id,
                      const std::optional<std::vector<std::string>>& labels, bool head);

Config load_config(const Options& options);
// The revision files under config's script_location; a missing versions/ folder is a
// ConfigError, as the project is not set up there.
migrate::ScriptDirectory load_scripts(const Config& config,
                                      migrate::Contents contents = migrate::Contents::graph);
// The configured database, for a command that only reads it: Config::migration_url, as every
// command here is a migration command. A SQLite file is opened only if it exists (the URL gets
// mode=rw), so that a mistyped path leaves no empty database and folder behind; nullopt when
// there is no such file. A server's database opens as create_engine opens it: there is nothing
// to create there.
std::optional<Engine> existing_database(const Config& config);
// What a command that reads the database says when existing_database found none.
[[noreturn]] void no_database(const Options& options, const Config& config);
// Prints a result: `json` with --json, else `text` (nothing with -q).
void print(const Options& options, const std::string& text, const std::string& json);

// What `revision` and `merge` write.
struct NewRevision {
  std::string message;
  std::string head = "head";                // the revision the new one follows
  std::vector<std::string> down_revisions;  // given: a merge of these
  bool root = false;                        // a new base (--head base)
  bool splice = false;                      // `head` may be a revision that is not a head
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string rev_id;
  bool autogenerate = false;  // operations from comparing the models with the database
  bool empty = false;         // with autogenerate: write the file even when nothing differs
  bool baseline = false;      // the first revision, read from a database strata did not make
};

// Writes a new revision file and prints its path.
int write_revision(const Options& options, const NewRevision& spec);

// revision and merge.
class RevisionCommands {
 public:
  RevisionCommands(CLI::App& app, const Options& options);
  std::optional<int> run();

 private:
  int merge();

  const Options& options_;
  CLI::App* revision_;
  CLI::App* merge_;
  NewRevision spec_;
};

// upgrade, downgrade (online, or offline with --sql), current, stamp, schema.
class MigrationCommands {
 public:
  MigrationCommands(CLI::App& app, const Options& options);
  // The exit status of the command that was parsed; nullopt when none of these was.
  std::optional<int> run();

 private:
  int upgrade(bool up);
  int offline(bool up);
  int current();
  int stamp();
  int schema();
  const Dialect& dialect(const Config& config) const;

  const Options& options_;
  CLI::App* upgrade_;
  CLI::App* downgrade_;
  CLI::App* current_;
  CLI::App* stamp_;
  CLI::App* schema_;
  std::string dialect_;
  std::string target_ = "heads";
  bool allow_changed_ = false;
  bool sql_ = false;
  bool purge_ = false;
};

// check, lint, verify.
class AutogenCommands {
 public:
  AutogenCommands(CLI::App& app, const Options& options);
  std::optional<int> run();

 private:
  int check();
  int lint();
  int verify();

  const Options& options_;
  CLI::App* check_;
  CLI::App* lint_;
  CLI::App* verify_;
  std::string range_;
};

// heads, branches, show, history: the graph from the files alone.
class GraphCommands {
 public:
  GraphCommands(CLI::App& app, const Options& options);
  std::optional<int> run();

 private:
  int heads();
  int branches();
  int show();
  int history();

  const Options& options_;
  CLI::App* heads_;
  CLI::App* branches_;
  CLI::App* show_;
  CLI::App* history_;
  std::string revision_;
  std::string range_;
  std::string format_ = "text";
};

}  // namespace strata::cli
