#include "strata/autogen/verify.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <random>

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

// Up, down, compare, up again, compare.
std::optional<VerifyFailure> round_trip(const Revision& r, Runner& runner, const Engine& scratch,
                                        const CompareOptions& options) {
  auto before = reflect(scratch, options);
  if (auto f = attempt(r, "upgrade", [&] { runner.upgrade(r.id); })) return f;
  auto after = reflect(scratch, options);
  if (auto f = attempt(r, "downgrade", [&] { runner.downgrade(r.id + "-1"); })) return f;
  if (auto f = differs(r, "after downgrade", before, scratch, options)) return f;
  if (auto f = attempt(r, "upgrade again", [&] { runner.upgrade(r.id); })) return f;
  return differs(r, "after upgrade again", after, scratch, options);
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
  std::string where = file.empty() ? revision : fmt::format("{} ({})", revision, file.string());
  return fmt::format("revision {}: {}: {}", where, what, fmt::join(differences, "; "));
}

VerifyResult verify(const ScriptDirectory& scripts, const Engine& scratch, const MetaData* models,
                    const VerifyOptions& options) {
  CompareOptions compare_options = for_scratch(options, scratch);
  Runner runner(scratch, scripts, options.runner);
  VerifyResult result;
  const auto& graph = scripts.graph();
  for (const Revision* r : graph.applied_in_order(graph.heads())) {
    result.failure = round_trip(*r, runner, scratch, compare_options);
    if (result.failure) return result;
    result.verified.push_back(r->id);
  }
  if (!models) return result;
  auto lines = compare(*models, reflect(scratch, compare_options), compare_options).describe();
  if (!lines.empty()) {
    result.failure = VerifyFailure{
        fmt::format("{}", fmt::join(graph.heads(), ", ")), {}, "models", std::move(lines)};
  }
  return result;
}

}  // namespace strata::autogen
