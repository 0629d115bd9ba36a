// Batches: Batch, Connection::execute_batch and Connection::execute_many. Each statement is
// found in the connection's statement cache or prepared into it as Connection::execute does,
// its values arranged and checked, and only then the driver runs them all
// (driver::Connection::execute_batch).
#include "strata/engine/batch.hpp"

#include <list>
#include <numeric>
#include <unordered_map>

#include "../core/usage_error.hpp"
#include "arrange.hpp"
#include "placeholders.hpp"
#include "pooled_connection.hpp"
#include "strata/core/error.hpp"
#include "strata/core/string_hash.hpp"
#include "strata/engine/connection.hpp"

namespace strata {

Batch& Batch::add(std::string_view sql, std::vector<Value> params) {
  steps_.push_back({std::string(sql), std::move(params), {}, false});
  return *this;
}

Batch& Batch::add(std::string_view sql, std::initializer_list<NamedParam> params) {
  Step step{std::string(sql), {}, {}, false};
  for (const auto& p : params) {
    step.values.emplace_back(p.value);
    step.names.emplace_back(p.name);
  }
  steps_.push_back(std::move(step));
  return *this;
}

Batch& Batch::add_native(std::string_view sql, std::vector<Value> params) {
  steps_.push_back({std::string(sql), std::move(params), {}, true});
  return *this;
}

namespace {

using BatchStep = driver::Connection::BatchStep;

// The statements one batch runs. Cached ones are marked busy while it runs, so that neither a
// Result nor the cache's eviction takes them; one the cache cannot lend (a Result is reading
// from it) is prepared for the batch alone and owned here. Lives on the running thread's stack.
class BatchStatements {
 public:
  explicit BatchStatements(detail::PooledConnection& pc) : pc_(pc) {}
  ~BatchStatements() { release(); }
  BatchStatements(const BatchStatements&) = delete;
  BatchStatements& operator=(const BatchStatements&) = delete;

  // The statement for `sql`, the same one each time the batch names it.
  detail::CachedStatement& get(std::string_view sql, bool native);
  // Takes this batch's statements out of the cache, to be prepared again.
  void forget() {
    release();
    last_ = nullptr;
    for (const auto& [sql, entry] : used_) pc_.cache.erase(sql, *pc_.conn);
  }

 private:
  void release() noexcept {
    for (auto* entry : marked_) entry->busy = false;
    marked_.clear();
  }
  detail::CachedStatement& prepare(std::string_view sql, bool native, bool cache);
  detail::CachedStatement& mark(detail::CachedStatement& entry) {
    entry.busy = true;
    marked_.push_back(&entry);
    return entry;
  }

  detail::PooledConnection& pc_;
  std::vector<detail::CachedStatement*> marked_;
  std::list<detail::CachedStatement> owned_;  // uncached: a list, so that entries stay put
  std::unordered_map<std::string, detail::CachedStatement*, detail::StringHash, std::equal_to<>>
      used_;                                 // cached statements by SQL
  detail::CachedStatement* last_ = nullptr;  // the one get() gave last
};

detail::CachedStatement& BatchStatements::get(std::string_view sql, bool native) {
  // A flush names one statement many times in a row: a memcmp instead of hashing the SQL.
  if (last_ && last_->native == native && last_->key == sql) return *last_;
  if (auto it = used_.find(sql); it != used_.end() && it->second->native == native) {
    return *(last_ = it->second);
  }
  detail::CachedStatement* entry = pc_.cache.find(sql);
  if (entry && !entry->busy && entry->native == native) {
    used_.emplace(std::string(sql), entry);
    return mark(*(last_ = entry));
  }
  bool cache = !entry && pc_.cache.capacity() > 0;
  auto& made = prepare(sql, native, cache);
  if (cache) used_.emplace(std::string(sql), last_ = &made);
  return made;
}

// Rendered as Connection::execute renders; preparing sends nothing yet.
detail::CachedStatement& BatchStatements::prepare(std::string_view sql, bool native, bool cache) {
  auto rendered = detail::render(pc_, sql, native);
  detail::CachedStatement fresh{std::string(sql),     nullptr, std::move(rendered.names),
                                rendered.param_count, false,   native};
  fresh.stmt = pc_.conn->prepare(rendered.sql, cache);
  if (!cache) return owned_.emplace_back(std::move(fresh));
  return mark(pc_.cache.insert(std::move(fresh), *pc_.conn));
}

std::vector<std::int64_t> run_steps(detail::PooledConnection& pc, std::span<const BatchStep> steps,
                                    const BatchRowVisitor& on_row, BatchUndo undo) {
  driver::Connection::BatchVisitor visit;
  if (on_row) {
    visit = [&](std::size_t step, driver::Statement& stmt) {
      for (bool more = stmt.has_row(); more; more = stmt.advance()) on_row(step, Row(stmt));
    };
  }
  return pc.conn->execute_batch(steps, visit, undo);
}

// Runs `plan_and_run` with the batch's statements. As Connection::execute does, a statement
// that another connection's DDL made stale is prepared again outside a transaction: there the
// failed batch left nothing behind.
template <class F>
auto with_retry(detail::PooledConnection& pc, F plan_and_run) {
  for (bool retried = false;; retried = true) {
    BatchStatements statements(pc);
    try {
      return plan_and_run(statements);
    } catch (const DatabaseError& e) {
      if (retried || !pc.conn->outdated_statement(e) ||
          pc.conn->transaction_status() != driver::TransactionStatus::idle) {
        throw;
      }
      statements.forget();
    }
  }
}

// Views of `values` as ValueRefs, in `refs`, which is reserved so that the views stay valid.
std::span<const ValueRef> refs_of(const std::vector<Value>& values, std::vector<ValueRef>& refs) {
  auto start = refs.size();
  refs.insert(refs.end(), values.begin(), values.end());
  return std::span<const ValueRef>(refs).subspan(start);
}

std::size_t value_count(std::span<const std::vector<Value>> rows) {
  std::size_t n = 0;
  for (const auto& row : rows) n += row.size();
  return n;
}

// The values of `step` in placeholder order; `scratch` and `named` hold what they point to.
std::span<const ValueRef> step_values(const Batch::Step& step, const detail::CachedStatement& entry,
                                      std::span<const ValueRef> refs,
                                      std::vector<ValueRef>& scratch) {
  if (step.names.empty()) return detail::arrange(entry, refs, {}, scratch);
  std::vector<NamedParam> named;
  named.reserve(refs.size());
  for (std::size_t i = 0; i < refs.size(); ++i) named.push_back({step.names[i], refs[i]});
  return detail::arrange(entry, {}, named, scratch);
}

}  // namespace

std::vector<std::int64_t> Connection::execute_batch(const Batch& batch,
                                                    const BatchRowVisitor& on_row, BatchUndo undo) {
  auto& pc = checked();
  if (batch.empty()) {
    throw UsageError("execute_batch() was given an empty batch: add() statements to it first");
  }
  return with_retry(pc, [&](BatchStatements& statements) {
    std::vector<ValueRef> refs;
    refs.reserve(
        std::accumulate(batch.steps().begin(), batch.steps().end(), std::size_t{0},
                        [](std::size_t n, const Batch::Step& s) { return n + s.values.size(); }));
    std::vector<std::vector<ValueRef>> scratch(batch.size());
    std::vector<BatchStep> steps;
    steps.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto& step = batch.steps()[i];
      auto& entry = statements.get(step.sql, step.native);
      auto values = step_values(step, entry, refs_of(step.values, refs), scratch[i]);
      steps.push_back({entry.stmt.get(), values});
    }
    return run_steps(pc, steps, on_row, undo);
  });
}

std::vector<std::int64_t> Connection::execute_native_batch(std::span<const NativeStep> steps,
                                                           const BatchRowVisitor& on_row,
                                                           BatchUndo undo) {
  auto& pc = checked();
  if (steps.empty()) {
    throw UsageError("execute_native_batch() was given no statements: give it one at least");
  }
  return with_retry(pc, [&](BatchStatements& statements) {
    std::vector<ValueRef> scratch;  // unused: positional values are taken as they are
    std::vector<BatchStep> planned;
    planned.reserve(steps.size());
    for (const auto& step : steps) {
      auto& entry = statements.get(step.sql, true);
      planned.push_back({entry.stmt.get(), detail::arrange(entry, step.params, {}, scratch)});
    }
    return run_steps(pc, planned, on_row, undo);
  });
}

std::int64_t Connection::execute_many(std::string_view sql,
                                      std::span<const std::vector<Value>> rows, BatchUndo undo) {
  auto& pc = checked();
  if (rows.empty()) {
    throw detail::usage_error("execute_many() was given no rows of values", sql);
  }
  return with_retry(pc, [&](BatchStatements& statements) {
    auto& entry = statements.get(sql, false);
    std::vector<ValueRef> refs;
    refs.reserve(value_count(rows));
    std::vector<ValueRef> scratch;  // unused: positional values are taken as they are
    std::vector<BatchStep> steps;
    steps.reserve(rows.size());
    for (const auto& row : rows) {
      steps.push_back({entry.stmt.get(), detail::arrange(entry, refs_of(row, refs), {}, scratch)});
    }
    auto affected = run_steps(pc, steps, {}, undo);
    return std::accumulate(affected.begin(), affected.end(), std::int64_t{0});
  });
}

std::uint64_t Connection::round_trips() const {
  return checked().conn->round_trips();
}

}  // namespace strata
