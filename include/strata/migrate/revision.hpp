// A revision: one file of <script_location>/versions/, identified by its revision id and
// linked to the revisions it follows (down_revision, several for a merge) and depends on.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "strata/migrate/operations.hpp"

namespace strata::migrate {

// PostgreSQL's limits on each statement of a revision; SQLite has none and ignores them.
struct StatementLimits {
  // How long a statement waits for a lock: every query needing the table queues behind a
  // waiting ALTER, so the wait is short and the revision is tried again instead
  // (RunnerOptions::lock_retries). 0: as long as it takes.
  std::chrono::milliseconds lock_timeout{5'000};
  // How long a statement may run; nullopt leaves the server's setting alone (0: no limit).
  std::optional<std::chrono::milliseconds> statement_timeout;
};

// A value type; safe to share between threads once loaded.
struct Revision {
  std::string id;
  std::vector<std::string> down_revisions;  // empty: a root; two or more: a merge
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string message;
  std::string created;  // ISO 8601, as written in the file
  bool transactional = true;
  // The file's own lock_timeout and statement_timeout, in place of the runner's (see limits());
  // nullopt when the file has none. Not read by a Contents::graph load.
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::filesystem::path file;  // empty for revisions built in code
  std::string checksum;        // SHA-256 of the file, line endings normalised
  std::vector<Operation> upgrade;
  std::vector<Operation> downgrade;
  bool has_downgrade = false;  // a revision without `downgrade:` cannot be reverted
  // Where `revision:`, `down_revision:` and `depends_on:` stand in the file (from 1; 0 when
  // unknown or absent), for messages about the links.
  int id_line = 0;
  int down_line = 0;
  int depends_line = 0;

  // `defaults` with what the file sets in their place.
  StatementLimits limits(const StatementLimits& defaults) const {
    return {lock_timeout.value_or(defaults.lock_timeout),
            statement_timeout ? statement_timeout : defaults.statement_timeout};
  }
  // "3f2a9c1b7d4e (versions/20250926_1200_3f2a9c1b7d4e_init.yaml)": how errors name it.
  std::string describe() const;
  // "versions/20250926_1200_3f2a9c1b7d4e_init.yaml:3" for `line`; the file alone without one.
  std::string at(int line) const;
};

}  // namespace strata::migrate
