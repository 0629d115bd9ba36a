// A revision: one file of <script_location>/versions/, identified by its revision id and
// linked to the revisions it follows (down_revision, several for a merge) and depends on.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "strata/migrate/operations.hpp"

namespace strata::migrate {

// A value type; safe to share between threads once loaded.
struct Revision {
  std::string id;
  std::vector<std::string> down_revisions;  // empty: a root; two or more: a merge
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string message;
  std::string created;  // ISO 8601, as written in the file
  bool transactional = true;
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

  // "3f2a9c1b7d4e (versions/20250926_1200_3f2a9c1b7d4e_init.yaml)": how errors name it.
  std::string describe() const;
  // "versions/20250926_1200_3f2a9c1b7d4e_init.yaml:3" for `line`; the file alone without one.
  std::string at(int line) const;
};

}  // namespace strata::migrate
