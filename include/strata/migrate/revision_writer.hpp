// Revision files written by code: autogenerate's output and the command line's new revisions.
// The text is stable (the same revision gives the same bytes) and reads back through
// parse_revision into the same operations, every constraint and index named.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "strata/migrate/revision.hpp"
#include "strata/schema/metadata.hpp"

namespace strata::migrate {

// Comment lines (without the leading "# ") placed in a written revision file. A value type.
struct RevisionComments {
  std::vector<std::string> header;                            // at the top of the file
  std::map<std::size_t, std::vector<std::string>> upgrade;    // above upgrade operation i (0-based)
  std::map<std::size_t, std::vector<std::string>> downgrade;  // above downgrade operation i
};

// The YAML text of `revision`: id, down_revision(s), branch_labels, depends_on, message,
// created (when set), transactional, lock_timeout and statement_timeout (when set), upgrade
// and (when has_downgrade) downgrade. Columns, indexes and constraints are one flow map per
// line; a single-column index, unique constraint or foreign key named as `convention` names it
// is written as the column's shorthand (`index: true`, `unique: true`, `foreign_key: {...}`);
// a primary key the convention would name otherwise as `primary_key: {name, columns}`; an
// operation kept to some dialects with its `dialects:`. Pass the convention the files are read with
// (ScriptDirectory::load). Throws Error naming the table and column for what a revision file cannot
// hold: a type strata does not know (Type::other), a literal NULL server default.
std::string write_revision(const Revision& revision, const RevisionComments& comments = {},
                           const NamingConvention& convention = {});

}  // namespace strata::migrate
