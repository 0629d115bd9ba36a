// Lint: flags revisions whose upgrade loses data, breaks running code or locks a busy table.
// Each dialect is linted on its own replay of the history, since `dialects:` can make their
// schemas differ. Each finding has a stable rule id; a comment `# strata:lint-ignore RULE` in the
// revision file silences one finding of that rule in that file (write it once per finding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/engine/engine.hpp"
#include "strata/migrate/graph.hpp"
#include "strata/migrate/operations.hpp"
#include "strata/migrate/script_directory.hpp"

namespace strata::autogen {

enum class Severity { warning, error };
std::string_view to_string(Severity severity) noexcept;  // "warning", "error"

// One rule: `id` is what findings and ignore comments use. Rules are static data.
struct LintRule {
  std::string_view id;
  Severity severity;
  std::string_view summary;
  // The one dialect whose behaviour the rule is about ("postgresql"): it is checked there
  // only, and its findings need not say so. Empty: checked on every dialect.
  std::string_view dialect = {};
};
// drop-table, drop-column, rename, type-narrowing, not-null-without-default,
// sqlite-rebuild-large-table, pg-index-not-concurrent, pg-type-rewrite, pg-set-not-null-scan,
// pg-foreign-key-not-valid, pg-check-not-valid, non-transactional-mixed, object-not-in-history,
// dialects-mismatch.
const std::vector<LintRule>& lint_rules();

// A value type.
struct Finding {
  std::string rule;
  Severity severity = Severity::warning;
  std::string revision;
  std::filesystem::path file;  // empty for a revision built in code
  std::size_t operation = 0;   // 1-based index in `upgrade:`; 0 for the revision as a whole
  std::string message;

  // "versions/x.yaml: upgrade operation 2: error drop-column: drops column items.title ..."
  std::string describe() const;
};

// A value type.
struct LintOptions {
  // Rows per table, for sqlite-rebuild-large-table (row_counts() reads them from a database);
  // a table without a count is not flagged.
  std::map<std::string, std::int64_t, std::less<>> row_counts;
  std::int64_t large_table_rows = 100'000;
  // The dialects to lint on, by name (empty: every dialect strata has): each replays and
  // renders the history its own way. A finding that only some of them have ends with their
  // names: "... (postgresql)".
  std::vector<std::string> dialects;
};

// The findings of one revision's upgrade, given the schema before it (the same for every
// dialect) and its file's text (for ignore comments; empty for none). An operation on an
// object `before` lacks is a finding (object-not-in-history) and is left out of the replay; it
// never throws.
std::vector<Finding> lint(const migrate::Revision& revision, const migrate::SchemaState& before,
                          const LintOptions& options = {}, std::string_view file_text = "");
// The findings of the revisions in `range` (whole graph by default), oldest first. Reads each
// revision's file for its ignore comments. The history is replayed once, revision after
// revision, where each revision follows the one linted before it.
std::vector<Finding> lint(const migrate::ScriptDirectory& scripts, const migrate::Range& range = {},
                          const LintOptions& options = {});

bool has_errors(const std::vector<Finding>& findings);

// The number of rows of every table of the database behind `engine`.
std::map<std::string, std::int64_t, std::less<>> row_counts(const Engine& engine);

}  // namespace strata::autogen
