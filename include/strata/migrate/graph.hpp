// The revision graph: heads, bases, branches, merges and dependencies, and the resolution of
// every target form of the command line (head, heads, base, ids and prefixes, label@head,
// label@base for downgrades, +N, -N, REV+N, REV-N) into the revisions to apply or revert, in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/core/string_hash.hpp"
#include "strata/migrate/revision.hpp"

namespace strata::migrate {

// An upgrade or downgrade plan: each step applies or reverts one revision, and `heads` is
// what the version table holds after it.
struct Step {
  const Revision* revision;
  bool upgrade;
  std::vector<std::string> heads_after;
};

// "Running upgrade 1975ea83b712 -> ae1027a6acf, add items", as Alembic says it.
std::string describe(const Step& step);

// `A:B` of offline mode and history; either side may be empty.
struct Range {
  std::string from;
  std::string to;
  static Range parse(std::string_view text);
};

// Immutable after construction; safe to read from several threads.
class RevisionGraph {
 public:
  // Verifies the graph and throws MigrationError naming the revision and its file for: a
  // duplicate id, a down_revision or depends_on that does not exist, a branch label used
  // twice, a cycle.
  explicit RevisionGraph(std::vector<Revision> revisions);

  const std::vector<Revision>& revisions() const noexcept { return revisions_; }
  bool empty() const noexcept { return revisions_.empty(); }

  // An id, or a unique prefix of 4 or more characters. Throws MigrationError.
  const Revision& get(std::string_view id_or_prefix) const;
  // The revision with exactly this id; nullptr when no file defines it.
  const Revision* find(std::string_view id) const;
  const std::vector<std::string>& heads() const noexcept { return heads_; }
  std::vector<std::string> bases() const;
  // Revisions with more than one child.
  std::vector<std::string> branch_points() const;

  // Everything from `from` (exclusive; its ancestors too) to `to` (inclusive), newest first;
  // whole graph when both are empty.
  std::vector<const Revision*> history(const Range& range = {}) const;

  // The steps that bring the version table from `current` heads to `target`.
  std::vector<Step> plan_upgrade(const std::vector<std::string>& current,
                                 std::string_view target) const;
  std::vector<Step> plan_downgrade(const std::vector<std::string>& current,
                                   std::string_view target) const;

  // The heads once `target` is stamped over `current`: the heads of the target's own line
  // give way to it, those of other branches stay; base clears them all.
  std::vector<std::string> stamped(const std::vector<std::string>& current,
                                   std::string_view target) const;
  // Whether `r` can be applied (every revision it follows or depends on is below `heads`) or
  // reverted (it is one of `heads`) from `heads`.
  bool can_take(const std::vector<std::string>& heads, const Revision& r, bool upgrade) const;
  // The version table's heads once `r` is applied to (or reverted from) `heads`.
  std::vector<std::string> heads_after(std::vector<std::string> heads, const Revision& r,
                                       bool upgrade) const;

  // The revisions `target` names as an absolute set of heads (empty for base). Relative
  // forms need `current`.
  std::vector<std::string> resolve(std::string_view target,
                                   const std::vector<std::string>& current) const;

  // `heads` and everything below them, each after the revisions it follows or depends on.
  std::vector<const Revision*> applied_in_order(const std::vector<std::string>& heads) const {
    return ordered(closure(heads));
  }

  // The revisions whose down_revision names `id`.
  std::vector<std::string> children(const std::string& id) const;

  // True when `ancestor` is `id` or lies below it along down_revision and (unless told not
  // to) depends_on.
  bool is_ancestor(const std::string& ancestor, const std::string& id,
                   bool with_dependencies = true) const;
  // `ids` and everything below them, along down_revision and (unless told not to) depends_on.
  std::vector<std::string> closure(const std::vector<std::string>& ids,
                                   bool with_dependencies = true) const;

 private:
  void verify() const;
  std::vector<std::string> find_heads() const;
  void check_cycles() const;
  // Throws MigrationError naming a head that no revision file defines.
  void require_known(const std::vector<std::string>& current) const;
  // Topological order of `ids`: every revision after those it follows or depends on.
  std::vector<const Revision*> ordered(const std::vector<std::string>& ids) const;
  std::vector<std::string> normalized_heads(std::vector<std::string> heads) const;
  std::vector<std::size_t> ready_after(const std::vector<bool>& applied,
                                       const std::vector<bool>& tips, bool at_base) const;
  std::vector<std::string> step_forward(const std::vector<std::string>& current, int steps,
                                        bool dependency_tips) const;
  std::vector<std::string> step_back(const std::vector<std::string>& current, int steps) const;
  std::string single_head(std::string_view target) const;
  const Revision* with_label(std::string_view label) const;

  std::vector<Revision> revisions_;
  std::unordered_map<std::string, std::size_t, ::strata::detail::StringHash, std::equal_to<>>
      index_;
  std::vector<std::string> heads_;
};

// The schema with `heads` applied on `dialect`, replayed from the operations alone (schema
// replay): operations restricted to other dialects are passed over. Throws MigrationError
// naming the revision file and the operation that does not fit what the history created
// before it.
SchemaState replay(const RevisionGraph& graph, const std::vector<std::string>& heads,
                   const Dialect& dialect);
// The same, passing over each operation that does not fit: it works on an object the history
// never created (made by hand, by `execute`, or before strata), which only the database knows.
// `skipped`, when given, gets one line for each: "versions/x.yaml: upgrade operation 2
// (drop_column): column 'items.stray' does not exist at this revision".
SchemaState replay_lenient(const RevisionGraph& graph, const std::vector<std::string>& heads,
                           const Dialect& dialect, std::vector<std::string>* skipped = nullptr);

}  // namespace strata::migrate
