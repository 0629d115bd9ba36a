#include "strata/autogen/verify.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"

namespace strata::autogen {
namespace {

using namespace strata::migrate;

CompareOptions for_scratch(const VerifyOptions& options, const Engine& scratch) {
  CompareOptions o = options.compare;
  if (!o.dialect) o.dialect = &Dialect::of(scratch.backend());
  o.version_table = options.runner.version_table;
  o.history_table = options.runner.history_table;
  return o;
}

// Runs one stage; a runner's error becomes the stage's failure.
template <class Work>
std::optional<VerifyFailure> attempt(const Revision& r, std::string_view stage, Work&& work) {
  try {
    work();
  } catch (const Error& e) {
    return VerifyFailure{r.id, r.file, std::string(stage), {e.what()}};
  }
  return std::nullopt;
}

std::optional<VerifyFailure> differs(const Revision& r, std::string_view stage,
                                     const std::vector<Table>& expected, const Engine& scratch,
                                     const CompareOptions& options) {
  auto lines = compare(expected, reflect(scratch, options), options).describe();
  if (lines.empty()) return std::nullopt;
  return VerifyFailure{r.id, r.file, std::string(stage), std::move(lines)};
}

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// What a revision is checked on: the revisions it follows and those it depends on.
std::vector<std::string> parents_of(const Revision& r) {
  std::vector<std::string> out = r.down_revisions;
  out.insert(out.end(), r.depends_on.begin(), r.depends_on.end());
  return out;
}

// `ids` without those below another of them: the heads a database at `ids` holds.
std::vector<std::string> tips(const RevisionGraph& graph, const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const auto& id : ids) {
    bool below = std::any_of(ids.begin(), ids.end(), [&](const std::string& other) {
      return other != id && graph.is_ancestor(id, other);
    });
    if (!below && !contains(out, id)) out.push_back(id);
  }
  return out;
}

// Parents first; after each revision its child when that one is ready, so that the scratch
// database follows a branch to its end before it turns to another: switching branches costs
// a downgrade of the branch left, and on interleaved branches that would come at every step.
std::vector<const Revision*> check_order(const RevisionGraph& graph) {
  auto all = graph.applied_in_order(graph.heads());
  std::unordered_map<std::string_view, std::vector<const Revision*>> children;
  for (const Revision* r : all) {
    for (const auto& d : r->down_revisions) children[d].push_back(r);
  }
  std::unordered_set<std::string_view> placed;
  auto ready = [&](const Revision* r) {
    auto parents = parents_of(*r);
    return !placed.count(r->id) && std::all_of(parents.begin(), parents.end(),
                                               [&](auto& p) { return placed.count(p) > 0; });
  };
  std::vector<const Revision*> out;
  std::size_t first = 0;  // `all` before it is placed; the first unplaced one is always ready
  while (out.size() < all.size()) {
    const auto& next_of = out.empty() ? all : children[out.back()->id];
    auto child = std::find_if(next_of.begin(), next_of.end(), ready);
    while (placed.count(all[first]->id)) ++first;
    const Revision* next = out.empty() || child == next_of.end() ? all[first] : *child;
    placed.insert(next->id);
    out.push_back(next);
  }
  return out;
}

// The scratch database's runner, which knows the heads it holds: each move is planned from
// them without asking the database.
class Scratch {
 public:
  Scratch(const Engine& engine, const ScriptDirectory& scripts, const RunnerOptions& options)
      : runner_(engine, scripts, options), graph_(scripts.graph()), heads_(runner_.current()) {}

  void up(std::string_view target) { track(runner_.upgrade(target)); }
  void down(std::string_view target) {
    if (!graph_.plan_downgrade(heads_, target).empty()) track(runner_.downgrade(target));
  }

  // Brings the database to exactly `parents` and what lies below them: reverts whatever else
  // is applied (a sibling branch checked before), then applies what is missing.
  void move_to(const std::vector<std::string>& parents) {
    auto wanted_tips = tips(graph_, parents);
    if (same(heads_, wanted_tips)) return;
    auto below = graph_.closure(wanted_tips);
    std::unordered_set<std::string> wanted(below.begin(), below.end());
    for (const auto& p : wanted_tips) {
      // What stands on a tip is not wanted: downgrading to it reverts that and nothing more.
      if (applied(p)) down(p);
    }
    while (auto extra = unwanted_head(wanted)) down(*extra + "-1");
    for (const auto& p : wanted_tips) {
      if (!applied(p)) up(p);
    }
  }

  // The target that reverts `r` alone once it is applied: `r-1`, or `label@base` where `r-1`
  // takes more down (a revision that depends on another branch's revision above its parent
  // takes that branch down with it). Failing both, `r-1`.
  std::string revert_target(const Revision& r) const {
    auto heads = graph_.heads_after(heads_, r, true);
    std::vector<std::string> targets{r.id + "-1"};
    for (const auto& label : r.branch_labels) targets.push_back(label + "@base");
    for (const auto& target : targets) {
      auto steps = graph_.plan_downgrade(heads, target);
      if (steps.size() == 1 && steps.front().revision == &r) return target;
    }
    return targets.front();
  }

 private:
  static bool same(std::vector<std::string> a, std::vector<std::string> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    return a == b;
  }
  bool applied(const std::string& id) const { return contains(graph_.closure(heads_), id); }
  std::optional<std::string> unwanted_head(const std::unordered_set<std::string>& wanted) const {
    for (const auto& h : heads_) {
      if (!wanted.count(h)) return h;
    }
    return std::nullopt;
  }
  void track(const std::vector<Step>& steps) {
    if (!steps.empty()) heads_ = steps.back().heads_after;
  }

  Runner runner_;
  const RevisionGraph& graph_;
  std::vector<std::string> heads_;
};

// On the schema of its parents: up, down, compare, up again, compare. Where the downgrade
// that reverts `r` takes more down, that comes down first, so that the schema compared with
// is the one the downgrade gives back.
std::optional<VerifyFailure> round_trip(const Revision& r, Scratch& scratch, const Engine& db,
                                        const CompareOptions& options) {
  std::string back;
  auto prepared = attempt(r, "parents", [&] {
    scratch.move_to(parents_of(r));
    back = scratch.revert_target(r);
    scratch.down(back);  // nothing, unless `back` takes more than `r`
  });
  if (prepared) return prepared;
  auto before = reflect(db, options);
  if (auto f = attempt(r, "upgrade", [&] { scratch.up(r.id); })) return f;
  auto after = reflect(db, options);
  if (auto f = attempt(r, "downgrade", [&] { scratch.down(back); })) return f;
  if (auto f = differs(r, "after downgrade", before, db, options)) return f;
  if (auto f = attempt(r, "upgrade again", [&] { scratch.up(r.id); })) return f;
  return differs(r, "after upgrade again", after, db, options);
}

// Random, so that two verify runs on one server never share a database.
std::string scratch_name() {
  std::mt19937_64 random{std::random_device{}()};
  return fmt::format("strata_verify_{:016x}", random());
}

}  // namespace

ScratchDatabase::ScratchDatabase(const Url& like) : like_(like), name_(scratch_name()) {
  const Dialect& dialect = Dialect::of(like.backend());
  if (auto sql = dialect.create_database_sql(name_); !sql.empty()) {
    create_engine(like_).connect().execute_script(sql);
  }
  engine_.emplace(create_engine(dialect.scratch_url(like_, name_)));
}

ScratchDatabase::~ScratchDatabase() {
  engine_.reset();  // its pooled connections go first
  std::string sql = Dialect::of(like_.backend()).drop_database_sql(name_);
  if (sql.empty()) return;
  try {
    create_engine(like_).connect().execute_script(sql);
  } catch (const std::exception&) {
    // A destructor cannot throw; the database keeps its strata_verify_ name for an operator.
  }
}

std::vector<std::string> CheckResult::describe(const ScriptDirectory& scripts) const {
  std::vector<std::string> out;
  for (const auto& id : pending) {
    out.push_back("pending revision " + scripts.graph().get(id).describe());
  }
  auto lines = differences.describe();
  out.insert(out.end(), lines.begin(), lines.end());
  return out;
}

CheckResult check(const Engine& engine, const ScriptDirectory& scripts, const MetaData* models,
                  const CompareOptions& options) {
  RunnerOptions runner_options;
  runner_options.version_table = options.version_table;
  runner_options.history_table = options.history_table;
  CheckResult result;
  result.current = Runner(engine, scripts, runner_options).current();
  for (const auto& step : scripts.graph().plan_upgrade(result.current, "heads")) {
    result.pending.push_back(step.revision->id);
  }
  if (models) result.differences = compare(*models, engine, options);
  return result;
}

std::string VerifyFailure::describe() const {
  std::string what = "the " + stage + " failed";
  if (stage == "after downgrade") what = "after downgrade the schema is not the one before";
  if (stage == "after upgrade again") what = "upgrading again gives another schema than before";
  if (stage == "models") what = "the schema at head differs from the models";
  if (stage == "parents") what = "bringing the database to its parents failed";
  std::string where = file.empty() ? revision : fmt::format("{} ({})", revision, file.string());
  return fmt::format("revision {}: {}: {}", where, what, fmt::join(differences, "; "));
}

VerifyResult verify(const ScriptDirectory& scripts, const Engine& scratch, const MetaData* models,
                    const VerifyOptions& options) {
  CompareOptions compare_options = for_scratch(options, scratch);
  Scratch db(scratch, scripts, options.runner);
  VerifyResult result;
  const auto& graph = scripts.graph();
  std::string heads = fmt::format("{}", fmt::join(graph.heads(), ", "));
  for (const Revision* r : check_order(graph)) {
    result.failure = round_trip(*r, db, scratch, compare_options);
    if (result.failure) return result;
    result.verified.push_back(r->id);
  }
  try {
    db.up("heads");  // the last revision checked may have left another branch down
  } catch (const Error& e) {
    result.failure = VerifyFailure{heads, {}, "upgrade", {e.what()}};
    return result;
  }
  if (!models) return result;
  auto lines = compare(*models, reflect(scratch, compare_options), compare_options).describe();
  if (!lines.empty()) result.failure = VerifyFailure{heads, {}, "models", std::move(lines)};
  return result;
}

}  // namespace strata::autogen
