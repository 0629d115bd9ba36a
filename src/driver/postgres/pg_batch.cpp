// PostgreSQL's batch: every step sent in one pipeline closed by one sync, and the answers read
// after it, which costs one round trip however many steps there are. Until the sync the
// server runs the steps as one implicit transaction (or inside the open one), and after a
// failing step it skips the rest: the batch is all or nothing.
#include <fmt/format.h>

#include <algorithm>

#include "../all_or_nothing.hpp"
#include "../batch_in_turn.hpp"
#include "pg_driver.hpp"

namespace strata::driver::postgres {
namespace {

// libpq refuses more parameters than the protocol's 16-bit count, with steps already queued.
constexpr std::size_t kMaxParams = 65535;

// Whatever can be refused is refused before the first step is sent: once steps are on their
// way, only a sync (which would commit them outside a transaction) takes them back. The errors
// are those the statement would raise alone.
void refuse_early(std::span<const Connection::BatchStep> steps, const std::string& url) {
  for (const auto& step : steps) {
    auto& stmt = static_cast<PgStatement&>(*step.statement);
    if (step.params.size() > kMaxParams) {
      throw OperationalError(
          fmt::format("number of parameters must be between 0 and {}", kMaxParams),
          {"", "", 0, stmt.sql(), url});
    }
    stmt.check(step.params);
  }
}

}  // namespace

// One answer the pipeline owes: a step's prepare or its execution.
struct PgConnection::Pending {
  std::size_t step;
  bool prepare;
};

bool PgStatement::queue_prepare() {
  if (name_.empty() || prepared_) return false;
  if (!libpq().PQsendPrepare(conn_, name_.c_str(), sql_.c_str(), 0, nullptr)) {
    throw_error(conn_, nullptr, sql_, url_);
  }
  return true;
}

void PgStatement::queue_execute(std::span<const ValueRef> params) {
  reset();  // an earlier result is of no more use
  bind(params);
  int n = static_cast<int>(params.size());
  int sent = name_.empty()
                 ? libpq().PQsendQueryParams(conn_, sql_.c_str(), n, nullptr, values_.data(),
                                             lengths_.data(), formats_.data(), 0)
                 : libpq().PQsendQueryPrepared(conn_, name_.c_str(), n, values_.data(),
                                               lengths_.data(), formats_.data(), 0);
  if (!sent) throw_error(conn_, nullptr, sql_, url_);
}

// A failure fails an open transaction on PostgreSQL, so `undo` changes nothing here.
std::vector<std::int64_t> PgConnection::execute_batch(std::span<const BatchStep> steps,
                                                      const BatchVisitor& visit,
                                                      BatchUndo /*undo*/) {
  refuse_early(steps, url_);
  // Without pipeline mode (libpq before 14), the steps one at a time; a failure fails an open
  // transaction here too.
  if (!libpq().PQenterPipelineMode) {
    return all_or_nothing(*this, "", [&] { return run_in_turn(steps, visit); });
  }
  if (!libpq().PQenterPipelineMode(conn_)) throw_error(conn_, nullptr, "", url_);
  // A failure to send means a lost connection: nothing was synced, so nothing is applied.
  std::vector<Pending> pending;
  try {
    pending = queue(steps);
  } catch (...) {
    libpq().PQexitPipelineMode(conn_);
    throw;
  }
  if (!libpq().PQpipelineSync(conn_)) {
    libpq().PQexitPipelineMode(conn_);
    throw_error(conn_, nullptr, "", url_);
  }
  ++round_trips_;
  std::vector<std::int64_t> affected(steps.size(), 0);
  auto results = collect(steps, pending, affected, static_cast<bool>(visit));
  if (!visit) return affected;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& stmt = static_cast<PgStatement&>(*steps[i].statement);
    stmt.accept(std::move(results[i]));
    struct Reset {
      Statement& stmt;
      ~Reset() { stmt.reset(); }
    } reset{stmt};
    visit(i, stmt);
  }
  return affected;
}

// Sends each step, preparing a named statement in the pipeline that first runs it.
std::vector<PgConnection::Pending> PgConnection::queue(std::span<const BatchStep> steps) {
  std::vector<Pending> pending;
  pending.reserve(steps.size() + 1);
  std::vector<const PgStatement*> preparing;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    auto& stmt = static_cast<PgStatement&>(*steps[i].statement);
    if (std::find(preparing.begin(), preparing.end(), &stmt) == preparing.end() &&
        stmt.queue_prepare()) {
      preparing.push_back(&stmt);
      pending.push_back({i, true});
    }
    stmt.queue_execute(steps[i].params);
    pending.push_back({i, false});
  }
  return pending;
}

// Reads every answer up to the sync, leaves pipeline mode, and throws the first step's error
// as running that step alone would. Returns each step's result when `keep` is set.
std::vector<ResultPtr> PgConnection::collect(std::span<const BatchStep> steps,
                                             const std::vector<Pending>& pending,
                                             std::vector<std::int64_t>& affected, bool keep) {
  std::vector<ResultPtr> results(keep ? steps.size() : 0);
  ResultPtr error;
  std::string_view failed;  // the failing step's statement
  std::size_t next = 0;
  for (int nulls = 0; nulls < 2 && libpq().PQstatus(conn_) == CONNECTION_OK;) {
    ResultPtr result(libpq().PQgetResult(conn_));
    // A null ends each step's answers; two in a row mean nothing more is coming.
    nulls = result ? 0 : nulls + 1;
    if (!result) continue;
    auto status = libpq().PQresultStatus(result.get());
    if (status == PGRES_PIPELINE_SYNC) break;
    if (next == pending.size()) {  // not a step's: the connection's own error
      if (!error) error = std::move(result);
      continue;
    }
    const Pending& p = pending[next++];
    auto& stmt = static_cast<PgStatement&>(*steps[p.step].statement);
    if (status == PGRES_PIPELINE_ABORTED) continue;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      if (!error) {
        error = std::move(result);
        failed = stmt.sql();
      }
    } else if (p.prepare) {
      stmt.mark_prepared();
    } else {
      affected[p.step] = rows_changed(result.get());
      if (keep) results[p.step] = std::move(result);
    }
  }
  libpq().PQexitPipelineMode(conn_);
  if (error) throw_error(conn_, error.get(), failed, url_);
  if (next < pending.size()) {
    throw OperationalError(fmt::format("the connection to {} was lost during a batch: {}", url_,
                                       libpq().PQerrorMessage(conn_)),
                           {"", "", 0, steps[pending[next].step].statement->sql(), url_});
  }
  return results;
}

}  // namespace strata::driver::postgres
