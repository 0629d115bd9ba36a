#include "strata/migrate/graph.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <set>

#include "strata/core/error.hpp"

namespace strata::migrate {
namespace {

std::string revision_count(int n) {
  return fmt::format("{} revision{}", n, n == 1 ? "" : "s");
}

[[noreturn]] void fail(std::string message) {
  throw MigrationError(std::move(message));
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// "+3" or "-2" as a signed step count; nullopt for anything else.
std::optional<int> relative_steps(std::string_view text) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  int n = 0;
  auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n <= 0) return std::nullopt;
  return text[0] == '-' ? -n : n;
}

}  // namespace

std::string Revision::describe() const {
  if (file.empty()) return id;
  return fmt::format("{} ({})", id, file.string());
}

std::string Revision::at(int line) const {
  if (file.empty()) return id;
  return line > 0 ? fmt::format("{}:{}", file.string(), line) : file.string();
}

std::string describe(const Step& step) {
  const Revision& r = *step.revision;
  std::string below =
      r.down_revisions.empty() ? "<base>" : fmt::format("{}", fmt::join(r.down_revisions, ", "));
  std::string from = step.upgrade ? below : r.id;
  std::string to = step.upgrade ? r.id : below;
  return fmt::format("Running {} {} -> {}, {}{}", step.upgrade ? "upgrade" : "downgrade", from, to,
                     r.message, r.transactional ? "" : " (not in a transaction)");
}

Range Range::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    throw ConfigError(
        fmt::format("'{}' is not a range: write FROM:TO, either side may be empty", text));
  }
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

RevisionGraph::RevisionGraph(std::vector<Revision> revisions) : revisions_(std::move(revisions)) {
  for (std::size_t i = 0; i < revisions_.size(); ++i) {
    auto [it, added] = index_.emplace(revisions_[i].id, i);
    if (!added) {
      const Revision& first = revisions_[it->second];
      fail(fmt::format("revision {} is defined twice: in {} and in {}", revisions_[i].id,
                       first.at(first.id_line), revisions_[i].at(revisions_[i].id_line)));
    }
  }
  verify();
  heads_ = find_heads();
}

void RevisionGraph::verify() const {
  std::map<std::string, std::string> labels;
  for (const auto& r : revisions_) {
    for (const auto& down : r.down_revisions) {
      if (!find(down)) {
        fail(fmt::format("{}: revision {} has down_revision {}, which no revision file defines",
                         r.at(r.down_line), r.id, down));
      }
    }
    for (const auto& dep : r.depends_on) {
      if (!find(dep)) {
        fail(fmt::format("{}: revision {} depends on {}, which no revision file defines",
                         r.at(r.depends_line), r.id, dep));
      }
    }
    for (const auto& label : r.branch_labels) {
      auto [it, added] = labels.emplace(label, r.id);
      if (!added) {
        fail(
            fmt::format("branch label '{}' is on both {} and {}", label, it->second, r.describe()));
      }
    }
  }
  check_cycles();
}

// Depth-first search with colours: reaching a revision still on the stack closes a cycle.
// Linear in the size of the graph, since a large history is loaded on every command.
void RevisionGraph::check_cycles() const {
  enum Colour : char { white, grey, black };
  std::vector<Colour> colour(revisions_.size(), white);
  for (std::size_t root = 0; root < revisions_.size(); ++root) {
    if (colour[root] != white) continue;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{root, 0}};  // node, next edge
    colour[root] = grey;
    while (!stack.empty()) {
      auto& [node, edge] = stack.back();
      const Revision& r = revisions_[node];
      std::size_t edges = r.down_revisions.size() + r.depends_on.size();
      if (edge == edges) {
        colour[node] = black;
        stack.pop_back();
        continue;
      }
      bool down = edge < r.down_revisions.size();
      const std::string& parent =
          down ? r.down_revisions[edge] : r.depends_on[edge - r.down_revisions.size()];
      ++edge;
      std::size_t next = index_.find(parent)->second;
      if (colour[next] == grey) {
        fail(
            fmt::format("{}: revision {} follows {}, which stands on it: the down_revision and "
                        "depends_on links form a cycle",
                        r.at(down ? r.down_line : r.depends_line), r.id, parent));
      }
      if (colour[next] == white) {
        colour[next] = grey;
        stack.emplace_back(next, 0);
      }
    }
  }
}

const Revision* RevisionGraph::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &revisions_[it->second];
}

const Revision& RevisionGraph::get(std::string_view id) const {
  if (const Revision* exact = find(id)) return *exact;
  if (id.size() < 4) {
    fail(fmt::format("unknown revision '{}' (a prefix needs at least 4 characters)", id));
  }
  std::vector<const Revision*> matches;
  for (const auto& r : revisions_) {
    if (r.id.starts_with(id)) matches.push_back(&r);
  }
  if (matches.empty()) fail(fmt::format("unknown revision '{}'", id));
  if (matches.size() > 1) {
    std::vector<std::string> ids;
    for (const auto* m : matches) ids.push_back(m->id);
    fail(fmt::format("revision prefix '{}' is ambiguous: {}", id, fmt::join(ids, ", ")));
  }
  return *matches.front();
}

std::vector<std::string> RevisionGraph::children(const std::string& id) const {
  std::vector<std::string> out;
  for (const auto& r : revisions_) {
    if (contains(r.down_revisions, id)) out.push_back(r.id);
  }
  return out;
}

// Called after verify(): every down_revision is in the index.
std::vector<std::string> RevisionGraph::find_heads() const {
  std::vector<bool> parent(revisions_.size());
  for (const auto& r : revisions_) {
    for (const auto& down : r.down_revisions) parent[index_.find(down)->second] = true;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < revisions_.size(); ++i) {
    if (!parent[i]) out.push_back(revisions_[i].id);
  }
  return out;
}

std::vector<std::string> RevisionGraph::bases() const {
  std::vector<std::string> out;
  for (const auto& r : revisions_) {
    if (r.down_revisions.empty()) out.push_back(r.id);
  }
  return out;
}

std::vector<std::string> RevisionGraph::branch_points() const {
  std::map<std::string, int> child_count;
  for (const auto& r : revisions_) {
    for (const auto& d : r.down_revisions) ++child_count[d];
  }
  std::vector<std::string> out;
  for (const auto& r : revisions_) {
    if (child_count[r.id] > 1) out.push_back(r.id);
  }
  return out;
}

std::vector<std::string> RevisionGraph::closure(const std::vector<std::string>& ids,
                                                bool with_dependencies) const {
  std::set<std::string> seen;
  std::vector<std::string> stack = ids;
  std::vector<std::string> out;
  while (!stack.empty()) {
    std::string id = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(id).second) continue;
    out.push_back(id);
    const Revision* r = find(id);
    if (!r) continue;
    stack.insert(stack.end(), r->down_revisions.begin(), r->down_revisions.end());
    if (with_dependencies) stack.insert(stack.end(), r->depends_on.begin(), r->depends_on.end());
  }
  return out;
}

// A walk over indices that stops at `ancestor`, not closure(): callers ask this once per step
// of a long plan.
bool RevisionGraph::is_ancestor(const std::string& ancestor, const std::string& id,
                                bool with_dependencies) const {
  if (ancestor == id) return true;
  auto start = index_.find(id);
  if (start == index_.end()) return false;
  std::vector<bool> seen(revisions_.size());
  std::vector<std::size_t> stack{start->second};
  while (!stack.empty()) {
    std::size_t at = stack.back();
    stack.pop_back();
    if (seen[at]) continue;
    seen[at] = true;
    const Revision& r = revisions_[at];
    if (r.id == ancestor) return true;
    for (const auto* below : {&r.down_revisions, &r.depends_on}) {
      if (below == &r.depends_on && !with_dependencies) break;
      for (const auto& next : *below) {
        auto it = index_.find(next);
        if (it != index_.end()) stack.push_back(it->second);
      }
    }
  }
  return false;
}

std::vector<const Revision*> RevisionGraph::ordered(const std::vector<std::string>& ids) const {
  // Kahn's algorithm over the chosen revisions; among the ready ones the earliest file goes
  // first, so plans are the same from run to run.
  std::map<std::size_t, int> waiting;  // index -> parents not yet placed
  std::map<std::size_t, std::vector<std::size_t>> followers;
  for (const auto& id : ids) waiting[index_.find(id)->second] = 0;
  for (auto& [node, count] : waiting) {
    const Revision& r = revisions_[node];
    for (const auto* parents : {&r.down_revisions, &r.depends_on}) {
      for (const auto& p : *parents) {
        std::size_t parent = index_.find(p)->second;
        if (!waiting.count(parent)) continue;
        ++count;
        followers[parent].push_back(node);
      }
    }
  }
  std::set<std::size_t> ready;
  for (const auto& [node, count] : waiting) {
    if (count == 0) ready.insert(node);
  }
  std::vector<const Revision*> out;
  while (!ready.empty()) {
    std::size_t node = *ready.begin();
    ready.erase(ready.begin());
    out.push_back(&revisions_[node]);
    for (std::size_t f : followers[node]) {
      if (--waiting[f] == 0) ready.insert(f);
    }
  }
  return out;
}

std::vector<std::string> RevisionGraph::normalized_heads(std::vector<std::string> heads) const {
  std::vector<std::string> out;
  for (const auto& h : heads) {
    bool below_another = std::any_of(heads.begin(), heads.end(), [&](const std::string& other) {
      return other != h && is_ancestor(h, other);
    });
    if (!below_another && !contains(out, h)) out.push_back(h);
  }
  return out;
}

std::string RevisionGraph::single_head(std::string_view target) const {
  auto all = heads();
  if (all.size() == 1) return all.front();
  if (all.empty()) fail("there are no revisions yet: write a first revision file in versions/");
  fail(fmt::format(
      "'{}' is ambiguous: there are {} heads ({}); write a merge revision joining them, or name "
      "a target (`heads`, a revision, or label@head)",
      target, all.size(), fmt::join(all, ", ")));
}

const Revision* RevisionGraph::with_label(std::string_view label) const {
  auto it = std::find_if(revisions_.begin(), revisions_.end(),
                         [&](const Revision& r) { return contains(r.branch_labels, label); });
  if (it == revisions_.end()) fail(fmt::format("no revision has the branch label '{}'", label));
  return &*it;
}

std::vector<std::string> RevisionGraph::resolve(std::string_view target,
                                                const std::vector<std::string>& current) const {
  if (target == "heads") return heads();
  if (target == "head") return {single_head(target)};
  if (target == "base") return {};
  if (auto steps = relative_steps(target)) {
    return *steps > 0 ? step_forward(current, *steps, true) : step_back(current, -*steps);
  }
  if (auto at = target.find('@'); at != std::string_view::npos) {
    std::string_view label = target.substr(0, at);
    if (target.substr(at + 1) != "head") {
      fail(fmt::format("'{}' is not a target here: use label@head (label@base is for downgrade)",
                       target));
    }
    const Revision* labelled = with_label(label);
    std::vector<std::string> found;
    // A branch is followed along down_revision only: depending on a branch's revision does
    // not put a revision on that branch.
    for (const auto& h : heads()) {
      if (contains(closure({h}, false), labelled->id)) found.push_back(h);
    }
    if (found.size() != 1) {
      fail(fmt::format("branch '{}' has {} heads ({}); name one", label, found.size(),
                       fmt::join(found, ", ")));
    }
    return found;
  }
  if (const Revision* exact = find(target)) return {exact->id};  // an id may hold + or -
  auto sign = target.find_last_of("+-");
  if (sign != std::string_view::npos && sign > 0) {
    if (auto steps = relative_steps(target.substr(sign))) {
      std::vector<std::string> from{get(target.substr(0, sign)).id};
      return *steps > 0 ? step_forward(from, *steps, false) : step_back(from, -*steps);
    }
  }
  return {get(target).id};
}

// The revisions that can run next: unapplied, everything they follow or depend on applied, and
// following a tip (from base: a root). Not another root, nor a sibling of an ancestor.
std::vector<std::size_t> RevisionGraph::ready_after(const std::vector<bool>& applied,
                                                    const std::vector<bool>& tips,
                                                    bool at_base) const {
  auto done = [&](const std::string& p) { return applied[index_.find(p)->second]; };
  auto from_tip = [&](const std::string& p) { return tips[index_.find(p)->second]; };
  std::vector<std::size_t> ready;
  for (std::size_t at = 0; at < revisions_.size(); ++at) {
    const Revision& r = revisions_[at];
    bool follows = r.down_revisions.empty()
                       ? at_base
                       : std::any_of(r.down_revisions.begin(), r.down_revisions.end(), from_tip);
    if (!applied[at] && follows &&
        std::all_of(r.down_revisions.begin(), r.down_revisions.end(), done) &&
        std::all_of(r.depends_on.begin(), r.depends_on.end(), done)) {
      ready.push_back(at);
    }
  }
  return ready;
}

// A step goes up from the heads it starts at. From the database's heads, when nothing follows
// them, it may also go up from a revision applied only as another's dependency (the version
// table drops such a head); never for REV+N, which goes up from REV. What is applied is kept by
// index: `+N` near the head of a long history must not compare every id with every other.
std::vector<std::string> RevisionGraph::step_forward(const std::vector<std::string>& current,
                                                     int steps, bool dependency_tips) const {
  require_known(current);
  std::vector<bool> applied(revisions_.size());
  for (const auto& id : closure(current)) applied[index_.find(id)->second] = true;
  std::vector<bool> heads(revisions_.size());
  for (const auto& id : current) heads[index_.find(id)->second] = true;
  std::vector<bool> tips = applied;
  for (std::size_t at = 0; at < revisions_.size(); ++at) {
    if (!applied[at]) continue;
    for (const auto& d : revisions_[at].down_revisions) tips[index_.find(d)->second] = false;
  }
  bool at_base = current.empty();
  std::vector<std::string> state = current;
  for (int i = 0; i < steps; ++i) {
    auto ready = ready_after(applied, heads, at_base);
    if (ready.empty() && dependency_tips) ready = ready_after(applied, tips, at_base);
    if (ready.empty()) {
      fail(
          fmt::format("cannot go {} up: the head is reached, or what follows needs "
                      "another branch first; name a target",
                      revision_count(steps)));
    }
    if (ready.size() > 1) {
      std::vector<std::string_view> ids;
      for (std::size_t at : ready) ids.push_back(revisions_[at].id);
      fail(fmt::format("+{} is ambiguous: {} could come next; name a target", steps,
                       fmt::join(ids, " or ")));
    }
    const Revision& r = revisions_[ready.front()];
    applied[ready.front()] = heads[ready.front()] = tips[ready.front()] = true;
    for (const auto& d : r.down_revisions)
      heads[index_.find(d)->second] = tips[index_.find(d)->second] = false;
    at_base = false;
    state = heads_after(std::move(state), r, true);
  }
  return state;
}

std::vector<std::string> RevisionGraph::step_back(const std::vector<std::string>& current,
                                                  int steps) const {
  require_known(current);
  std::vector<std::string> state = current;
  std::string reverted;
  for (int i = 0; i < steps; ++i) {
    if (state.empty())
      fail(fmt::format("cannot go {} down: base is reached", revision_count(steps)));
    // Several heads are the database's own at the start; later, the parents of a merge.
    if (state.size() > 1 && i == 0) {
      fail(fmt::format("-{} is ambiguous: the database is at {} heads ({}); name a target", steps,
                       state.size(), fmt::join(state, ", ")));
    }
    if (state.size() > 1) {
      fail(fmt::format(
          "-{} is ambiguous: step {} reverts merge revision {}, below which {} branches go down "
          "({}); name a target",
          steps, i, reverted, state.size(), fmt::join(state, ", ")));
    }
    reverted = state.front();
    state = find(reverted)->down_revisions;
  }
  return state;
}

// A version table can name a revision whose file is gone (another git branch, say): nothing
// can be planned from there, and the walks below would find no revision to follow.
void RevisionGraph::require_known(const std::vector<std::string>& current) const {
  for (const auto& h : current) {
    if (!find(h)) {
      fail(
          fmt::format("the database is at revision {}, which no file in versions/ defines; "
                      "restore the file, or stamp the revision it is at with the version "
                      "table purged first",
                      h));
    }
  }
}

std::vector<Step> RevisionGraph::plan_upgrade(const std::vector<std::string>& current,
                                              std::string_view target) const {
  require_known(current);
  auto applied = closure(current);
  std::set<std::string> done(applied.begin(), applied.end());
  auto targets = resolve(target, current);
  // A target the database has gone past along its line is not an upgrade (Alembic refuses it
  // too); one only depended on is applied and simply reached.
  auto line = closure(current, false);
  for (const auto& t : targets) {
    if (contains(line, t) && !contains(current, t)) {
      fail(fmt::format("'{}' ({}) is below the database's revision {}: downgrade to go there",
                       target, t, fmt::join(current, ", ")));
    }
  }
  std::vector<std::string> needed;
  for (const auto& id : closure(targets)) {
    if (!done.count(id)) needed.push_back(id);
  }
  std::vector<Step> steps;
  std::vector<std::string> state = current;
  for (const Revision* r : ordered(needed)) {
    state = heads_after(state, *r, true);
    steps.push_back({r, true, state});
  }
  return steps;
}

std::vector<Step> RevisionGraph::plan_downgrade(const std::vector<std::string>& current,
                                                std::string_view target) const {
  require_known(current);
  // label@base reverts the labelled revision and what stands on it; anything else names the
  // revisions to come down to.
  std::set<std::string> reverting;
  std::vector<std::string> targets;
  bool branch_base = target.ends_with("@base");
  if (branch_base) {
    reverting.insert(with_label(target.substr(0, target.size() - 5))->id);
  } else {
    targets = resolve(target, current);
  }
  auto applied_list = closure(current);
  for (const auto& t : targets) {
    if (!contains(applied_list, t)) {
      fail(fmt::format("'{}' ({}) is not applied: the database is at {}; upgrade to go there",
                       target, t,
                       current.empty() ? "base" : fmt::format("{}", fmt::join(current, ", "))));
    }
  }
  auto keep_list = closure(targets);
  std::set<std::string> keep(keep_list.begin(), keep_list.end());
  std::set<std::string> applied(applied_list.begin(), applied_list.end());
  // Reverted: what descends from a target (as in Alembic: siblings and other branches stay),
  // and whatever needs a reverted revision. Parents come before children in `ordered`, so one
  // pass sees every reason a revision must go.
  bool everything = !branch_base && targets.empty();
  for (const Revision* r : ordered(applied_list)) {
    if (keep.count(r->id)) continue;
    auto gone = [&](const std::string& p) { return reverting.count(p) > 0; };
    auto above = [&](const std::string& p) { return gone(p) || contains(targets, p); };
    if (everything || std::any_of(r->down_revisions.begin(), r->down_revisions.end(), above) ||
        std::any_of(r->depends_on.begin(), r->depends_on.end(), gone)) {
      reverting.insert(r->id);
    }
  }
  std::erase_if(reverting, [&](const std::string& id) { return !applied.count(id); });
  auto order = ordered({reverting.begin(), reverting.end()});
  std::reverse(order.begin(), order.end());
  std::vector<Step> steps;
  std::vector<std::string> state = current;
  for (const Revision* r : order) {
    state = heads_after(state, *r, false);
    steps.push_back({r, false, state});
  }
  return steps;
}

// As Alembic stamps: each target replaces the heads of its own line (its ancestors and
// descendants); heads of other branches stay.
std::vector<std::string> RevisionGraph::stamped(const std::vector<std::string>& current,
                                                std::string_view target) const {
  require_known(current);
  auto targets = resolve(target, current);
  if (targets.empty()) return {};
  std::vector<std::string> heads = current;
  for (const auto& t : targets) {
    // A line follows down_revision only: a head that merely depends on the target stays.
    std::erase_if(heads, [&](const std::string& h) {
      return is_ancestor(h, t, false) || is_ancestor(t, h, false);
    });
    heads.push_back(t);
  }
  return normalized_heads(std::move(heads));
}

bool RevisionGraph::can_take(const std::vector<std::string>& heads, const Revision& r,
                             bool upgrade) const {
  if (!upgrade) return contains(heads, r.id);
  auto below = closure(heads);
  std::set<std::string_view> applied(below.begin(), below.end());
  auto done = [&](const std::string& p) { return applied.count(p) > 0; };
  return std::all_of(r.down_revisions.begin(), r.down_revisions.end(), done) &&
         std::all_of(r.depends_on.begin(), r.depends_on.end(), done);
}

// Applied, a revision replaces the heads it follows or depends on. Reverted, it hands the
// heads back to them, except those still below another head.
std::vector<std::string> RevisionGraph::heads_after(std::vector<std::string> heads,
                                                    const Revision& r, bool upgrade) const {
  if (upgrade) {
    std::erase_if(heads, [&](const std::string& h) {
      return contains(r.down_revisions, h) || contains(r.depends_on, h);
    });
    if (!contains(heads, r.id)) heads.push_back(r.id);
    return heads;
  }
  std::erase(heads, r.id);
  heads.insert(heads.end(), r.down_revisions.begin(), r.down_revisions.end());
  heads.insert(heads.end(), r.depends_on.begin(), r.depends_on.end());
  return normalized_heads(std::move(heads));
}

std::vector<const Revision*> RevisionGraph::history(const Range& range) const {
  std::vector<std::string> upper = range.to.empty() ? heads() : resolve(range.to, {});
  std::vector<std::string> lower =
      range.from.empty() ? std::vector<std::string>{} : closure(resolve(range.from, {}));
  std::set<std::string> below(lower.begin(), lower.end());
  std::vector<std::string> ids;
  for (const auto& id : closure(upper)) {
    if (!below.count(id)) ids.push_back(id);
  }
  auto out = ordered(ids);
  std::reverse(out.begin(), out.end());
  return out;
}

namespace {

SchemaState replay_each(const RevisionGraph& graph, const std::vector<std::string>& heads,
                        const Dialect& dialect,
                        const std::function<void(const std::string&)>& unfit) {
  SchemaState state(dialect);
  for (const Revision* r : graph.applied_in_order(heads)) {
    for (std::size_t i = 0; i < r->upgrade.size(); ++i) {
      try {
        state.apply(r->upgrade[i]);
      } catch (const MigrationError& e) {
        unfit(fmt::format("{}: upgrade operation {} ({}): {}", r->file.string(), i + 1,
                          operation_name(r->upgrade[i]), e.what()));
      }
    }
  }
  return state;
}

}  // namespace

SchemaState replay(const RevisionGraph& graph, const std::vector<std::string>& heads,
                   const Dialect& dialect) {
  return replay_each(graph, heads, dialect,
                     [](const std::string& line) { throw MigrationError(line); });
}

SchemaState replay_lenient(const RevisionGraph& graph, const std::vector<std::string>& heads,
                           const Dialect& dialect, std::vector<std::string>* skipped) {
  return replay_each(graph, heads, dialect, [&](const std::string& line) {
    if (skipped) skipped->push_back(line);
  });
}

}  // namespace strata::migrate
