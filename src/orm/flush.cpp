// The unit of work: at flush, INSERT the pending objects (parents first, several rows per
// statement), UPDATE the changed columns of loaded objects, and DELETE the removed ones
// (children first), all in the session's transaction.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>
#include <numeric>

#include "session_impl.hpp"
#include "strata/dialect/dialect.hpp"

namespace strata::orm::detail {
namespace {

// Rows per INSERT: at most this many, and at most kMaxParams parameters (SQLite allows 32766,
// PostgreSQL 65535). Remainders go out in power-of-two batches so that only a handful of
// statement texts exist per shape, each prepared once per connection.
constexpr int kMaxRows = 512;
constexpr int kMaxParams = 32000;
// Rows per multi-row UPDATE. Measured on SQLite (20k rows, callgrind): 128 took the fewest
// instructions; 500 spends more in the join's temporary table and in preparing the text, 32
// in work per statement.
constexpr std::size_t kMaxUpdateRows = 128;

bool has(std::uint64_t mask, std::size_t column) {
  return (mask >> column & 1) != 0;
}

// Mappers ordered parents first by their foreign keys; a cycle keeps the given order.
std::vector<const Mapper*> parents_first(std::vector<const Mapper*> mappers) {
  std::vector<const Mapper*> out;
  std::vector<const Mapper*> visiting;
  auto visit = [&](auto& self, const Mapper* m) -> void {
    if (std::find(out.begin(), out.end(), m) != out.end()) return;
    if (std::find(visiting.begin(), visiting.end(), m) != visiting.end()) return;
    visiting.push_back(m);
    for (const auto& parent : m->parents()) {
      for (const Mapper* other : mappers) {
        if (other->table().name == parent) self(self, other);
      }
    }
    out.push_back(m);
  };
  for (const Mapper* m : mappers) visit(visit, m);
  return out;
}

// "id=57" (or "a=1, b='x'"): the primary key `entry` was loaded with, for messages.
std::string key_text(const Mapper& mapper, const Entry& entry) {
  std::string out;
  for (int c : mapper.primary_key()) {
    if (!out.empty()) out += ", ";
    out += mapper.columns()[static_cast<std::size_t>(c)].name + "=" +
           Value(mapper.ops().saved(entry, c)).to_string();
  }
  return out;
}

// `stale`: the object whose row the statement missed, when it could be told (a multi-row
// UPDATE whose rows were all changed again since gives none).
[[noreturn]] void throw_stale(const Mapper& mapper, const std::string& sql, std::string_view what,
                              const Entry* stale, std::size_t written, const std::string& url) {
  std::string which = stale ? key_text(mapper, *stale) : "";
  if (written > 1) {
    which += fmt::format("{}one of {} written together", which.empty() ? "" : ", ", written);
  }
  if (!which.empty()) which = " (" + which + ")";
  throw StaleDataError(
      fmt::format("{} of a row of table {}{} matched no row: another transaction changed or "
                  "deleted it since this session loaded it; load it again and retry",
                  what, mapper.table().name, which),
      {"", "", 0, sql, url});
}

// The indexes of `dirty` grouped by (type, changed columns), as (group, index) pairs: the
// groups in the order of their first object, each in creation order.
void group_by_shape(const std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                    std::vector<std::pair<std::size_t, std::size_t>>& out) {
  std::map<std::pair<const Mapper*, std::uint64_t>, std::size_t> groups;
  out.reserve(dirty.size());
  for (std::size_t i = 0; i < dirty.size(); ++i) {
    const auto& [entry, changed] = dirty[i];
    // Most flushes change one shape: the last object's group is asked first.
    if (i > 0 && entry->mapper == dirty[i - 1].first->mapper && changed == dirty[i - 1].second) {
      out.emplace_back(out.back().first, i);
      continue;
    }
    auto [it, added] = groups.try_emplace({entry->mapper, changed}, groups.size());
    out.emplace_back(it->second, i);
  }
  // Usually one group, or groups one after another: nothing to move.
  auto by_group = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(out.begin(), out.end(), by_group)) {
    std::stable_sort(out.begin(), out.end(), by_group);
  }
}

}  // namespace

std::uint64_t SessionImpl::changed_columns(const Entry& entry) const {
  const Mapper& m = *entry.mapper;
  std::uint64_t changed = m.ops().changed(entry);
  if (m.version_column() >= 0) changed &= ~(std::uint64_t{1} << m.version_column());
  if (std::uint64_t computed = changed & m.computed_columns()) {
    throw UsageError(fmt::format(
        "column {} of a loaded {} is computed() by the database and was changed; the "
        "session does not write it: leave it, or load the object again for its value",
        m.columns()[static_cast<std::size_t>(std::countr_zero(computed))].name, m.type_name()));
  }
  for (int c : m.primary_key()) {
    if (!has(changed, static_cast<std::size_t>(c))) continue;
    throw UsageError(
        fmt::format("the primary key column {} of a loaded {} was changed; a primary key "
                    "names its row: remove the object and add a new one instead",
                    m.columns()[static_cast<std::size_t>(c)].name, m.type_name()));
  }
  return changed;
}

void SessionImpl::flush() {
  if (flushing_) return;
  flushing_ = true;
  try {
    flush_changes();
  } catch (...) {
    flushing_ = false;
    rollback();
    throw;
  }
  flushing_ = false;
}

void SessionImpl::collect_dirty(std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                                std::vector<const Mapper*>& involved) {
  auto involve = [&](const Mapper* m) {
    if (std::find(involved.begin(), involved.end(), m) == involved.end()) involved.push_back(m);
  };
  // In creation order: the entries lie one after another in memory, and the UPDATEs go out in
  // the order the objects were loaded or added.
  for (Entry* e : owned_) {
    if (e->state != Entry::State::persistent) continue;
    if (std::uint64_t changed = changed_columns(*e)) {
      dirty.emplace_back(e, changed);
      involve(e->mapper);
    }
  }
  for (const Entry* e : pending_) involve(e->mapper);
  for (const Entry* e : deleted_) involve(e->mapper);
}

void SessionImpl::flush_changes() {
  std::vector<const Mapper*> mappers;
  std::vector<std::pair<Entry*, std::uint64_t>> dirty;
  Spare keep_dirty(dirty);
  collect_dirty(dirty, mappers);
  if (pending_.empty() && deleted_.empty() && dirty.empty()) return;
  if (read_only_) {
    throw UsageError(
        "a read session (SessionFactory::read_session or read_scope) cannot write: add, change "
        "and remove objects in a session from scope()");
  }
  ++stats.flushes;
  auto order = parents_first(std::move(mappers));
  transaction();
  Spare keep_params(params_);
  // The objects stay pending until every statement succeeded: on an error the rollback
  // detaches them, and the caller's references to them stay valid.
  for (const Mapper* m : order) {
    std::vector<Entry*> mine;
    for (Entry* e : pending_) {
      if (e->mapper == m) mine.push_back(e);
    }
    if (!mine.empty()) insert_pending(*m, mine);
  }
  write_changes(dirty, order);
  for (Entry* e : pending_) persist(*e);
  pending_.clear();
  for (Entry* e : deleted_) {
    e->state = Entry::State::detached;
    state(*e->mapper).map.erase(e->key);
  }
  deleted_.clear();
}

void SessionImpl::insert_pending(const Mapper& mapper, std::vector<Entry*>& entries) {
  const auto& columns = mapper.columns();
  // Group by the columns left to the database, keeping the order of add() within a group.
  std::vector<std::pair<std::uint64_t, std::size_t>> shapes;  // (omitted, index)
  shapes.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    Entry& e = *entries[i];
    std::uint64_t omitted = mapper.computed_columns();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (columns[c].version && columns[c].access->empty(e.object)) {
        columns[c].access->increment(e.object, 1);
      }
      if (columns[c].generated && columns[c].access->empty(e.object)) {
        omitted |= std::uint64_t{1} << c;
      }
    }
    shapes.emplace_back(omitted, i);
  }
  std::stable_sort(shapes.begin(), shapes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Entry*> sorted;
  sorted.reserve(entries.size());
  for (const auto& [omitted, i] : shapes) sorted.push_back(entries[i]);

  std::size_t begin = 0;
  while (begin < sorted.size()) {
    std::size_t end = begin;
    while (end < sorted.size() && shapes[end].first == shapes[begin].first) ++end;
    std::uint64_t omitted = shapes[begin].first;
    int per_row = static_cast<int>(columns.size()) - std::popcount(omitted);
    std::size_t max_rows = per_row == 0 ? 1 : std::min(kMaxRows, kMaxParams / per_row);
    for (std::size_t at = begin; at < end;) {
      std::size_t n = std::min(max_rows, end - at);
      if (n < max_rows) n = std::bit_floor(n);
      insert_batch(mapper, std::span<Entry* const>(sorted).subspan(at, n), omitted);
      at += n;
    }
    begin = end;
  }
}

void SessionImpl::insert_batch(const Mapper& mapper, std::span<Entry* const> batch,
                               std::uint64_t omitted) {
  const auto& columns = mapper.columns();
  params_.clear();
  for (const auto& e : batch) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (!has(omitted, c)) params_.push_back(columns[c].access->bind(e->object));
    }
  }
  // Only the integer key is generated: where the backend numbers the rows of one INSERT
  // consecutively, the last key gives them all, and RETURNING is not needed.
  const std::string& last_key_sql = mapper.last_key_sql(dialect());
  bool by_last_id = !last_key_sql.empty() && mapper.integer_pk() &&
                    omitted == std::uint64_t{1} << mapper.primary_key()[0];
  bool returning = omitted != 0 && !by_last_id;
  const std::string& sql =
      mapper.insert_sql(dialect(), omitted, static_cast<int>(batch.size()), returning);
  auto result = run(sql, params_);
  if (by_last_id) {
    std::int64_t first = last_key(mapper, last_key_sql) - static_cast<std::int64_t>(batch.size());
    const auto& pk = *columns[mapper.primary_key()[0]].access;
    for (Entry* e : batch) pk.increment(e->object, ++first);  // the member held 0
    return;
  }
  if (!returning) return;
  auto returned = mapper.returned_columns(omitted);
  std::size_t rows = 0;
  for (; !result.empty() && rows < batch.size(); ++rows, result.next()) {
    Row r = result.row();
    for (std::size_t k = 0; k < returned.size(); ++k) {
      columns[returned[k]].access->read(batch[rows]->object, r, static_cast<int>(k));
    }
  }
  if (rows != batch.size()) {
    throw ProgrammingError(fmt::format("INSERT into {} returned {} rows for {} objects",
                                       mapper.table().name, rows, batch.size()),
                           {"", "", 0, sql, ""});
  }
  if (mapper.integer_pk() && has(omitted, mapper.primary_key()[0])) {
    sort_returned_by_key(mapper, batch, returned);
  }
}

// The key the backend gave the last row inserted, read back from the row's key column too: a
// key column the backend does not fill in (on SQLite, a key not declared INTEGER PRIMARY KEY)
// would leave the rows without their keys while the objects got numbers, so it is refused.
std::int64_t SessionImpl::last_key(const Mapper& mapper, const std::string& sql) {
  auto result = run(sql, {});
  if (!result.empty()) {
    Row row = result.row();
    auto id = row.get<std::int64_t>(0);
    if (!row.is_null(1) && row.get<std::int64_t>(1) == id) return id;
  }
  throw ProgrammingError(
      fmt::format(
          "table '{}' did not fill in its key column '{}' for a new row: the model generates "
          "the key, but the database numbers rows without that column (on SQLite only "
          "a column declared INTEGER PRIMARY KEY is the row's number); declare the "
          "column so in a migration, or map it with autoincrement(false) and set the "
          "key yourself",
          mapper.table().name, mapper.columns()[mapper.primary_key()[0]].name),
      {"", "", 0, sql, engine_.url().masked()});
}

// Generated keys are handed out in VALUES order; should RETURNING have listed the rows in
// another order, sorting by key puts each row's values back with its object.
void SessionImpl::sort_returned_by_key(const Mapper& mapper, std::span<Entry* const> batch,
                                       const std::vector<int>& returned) {
  const auto& columns = mapper.columns();
  const auto& pk = *columns[mapper.primary_key()[0]].access;
  std::vector<std::size_t> order(batch.size());
  std::iota(order.begin(), order.end(), 0);
  auto by_key = [&](std::size_t a, std::size_t b) {
    return pk.bind(batch[a]->object).as_int() < pk.bind(batch[b]->object).as_int();
  };
  if (std::is_sorted(order.begin(), order.end(), by_key)) return;
  std::sort(order.begin(), order.end(), by_key);
  std::vector<Entry*> copies;
  for (const Entry* e : batch) {
    copies.push_back(make_entry(mapper, nullptr));
    for (int c : returned) columns[c].access->copy(copies.back()->object, e->object);
  }
  for (std::size_t p = 0; p < batch.size(); ++p) {
    for (int c : returned) columns[c].access->copy(batch[p]->object, copies[order[p]]->object);
  }
}

void SessionImpl::persist(Entry& entry) {
  const Mapper& mapper = *entry.mapper;
  mapper.ops().save(entry, all_columns(mapper), arena_);
  entry.state = Entry::State::persistent;
  entry.key = mapper.key_of(entry.object);
  if (Entry* replaced = state(mapper).map.insert(&entry)) {
    replaced->state = Entry::State::detached;
  }
}

// The UPDATEs and DELETEs go out as one batch: on PostgreSQL one pipeline, one round trip for
// them all. Each statement's values are appended to params_, which holds them until the batch
// has run.
void SessionImpl::write_changes(const std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                                const std::vector<const Mapper*>& order) {
  std::vector<Write> writes;
  Spare keep_writes(writes);
  writes.reserve(dirty.size() + deleted_.size());
  params_.clear();
  std::vector<Entry*> targets;  // the UPDATEs' objects, which the writes' spans point into
  Spare keep_targets(targets);
  plan_updates(dirty, targets, writes);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    for (Entry* const& e : deleted_) {
      if (e->mapper == *it) writes.push_back(plan_delete(e));
    }
  }
  if (writes.empty()) return;
  std::vector<Connection::NativeStep> steps;
  Spare keep_steps(steps);
  steps.reserve(writes.size());
  for (const Write& w : writes) {
    steps.push_back({*w.sql, std::span<const ValueRef>(params_).subspan(w.first, w.count)});
  }
  stats.statements += static_cast<std::int64_t>(steps.size());
  // A failed flush rolls the session's transaction back (flush()): no savepoint is needed.
  auto affected = transaction().execute_native_batch(steps, {}, BatchUndo::transaction);
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const Write& w = writes[i];
    const Mapper& mapper = *w.entries[0]->mapper;
    // A stale row matches nothing, so a statement of n objects then changes fewer than n rows.
    if (w.checked && affected[i] != static_cast<std::int64_t>(w.entries.size())) {
      throw_stale(mapper, *w.sql, w.changed ? "UPDATE" : "DELETE", stale_entry(w), w.entries.size(),
                  engine_.url().masked());
    }
    // Only the written columns differ from the snapshot.
    if (w.changed) {
      for (Entry* e : w.entries) mapper.ops().save(*e, w.changed, arena_);
    }
  }
}

void SessionImpl::plan_updates(const std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                               std::vector<Entry*>& targets, std::vector<Write>& writes) {
  std::vector<std::pair<std::size_t, std::size_t>> shapes;
  Spare keep_shapes(shapes);
  group_by_shape(dirty, shapes);
  targets.reserve(dirty.size());
  for (const auto& [group, i] : shapes) targets.push_back(dirty[i].first);
  for (std::size_t begin = 0; begin < shapes.size();) {
    std::size_t end = begin;
    while (end < shapes.size() && shapes[end].first == shapes[begin].first) ++end;
    const bool several =
        dialect().update_from_values() && end - begin >= dialect().update_from_values_min_rows();
    const Mapper& mapper = *targets[begin]->mapper;
    std::uint64_t changed = dirty[shapes[begin].second].second;
    std::size_t per_row = static_cast<std::size_t>(std::popcount(changed)) +
                          mapper.primary_key().size() + (mapper.version_column() >= 0 ? 2 : 0);
    std::size_t max_rows =
        several ? std::min(kMaxUpdateRows, std::size_t{kMaxParams} / per_row) : 1;
    // Growing by doubling would copy the values and fault in fresh pages at each step.
    params_.reserve(params_.size() + (end - begin) * per_row);
    // Looked up once: on SQLite most groups are written one UPDATE a row.
    const std::string& one_row = mapper.update_sql(dialect(), changed);
    for (std::size_t at = begin; at < end;) {
      std::size_t n = std::min(max_rows, end - at);
      if (n < max_rows) n = std::bit_floor(n);
      const std::string& sql =
          n == 1 ? one_row : mapper.update_rows_sql(dialect(), changed, static_cast<int>(n));
      writes.push_back(plan_update(std::span<Entry* const>(targets).subspan(at, n), changed, sql));
      at += n;
    }
    begin = end;
  }
}

SessionImpl::Write SessionImpl::plan_update(std::span<Entry* const> entries, std::uint64_t changed,
                                            const std::string& sql) {
  const Mapper& mapper = *entries[0]->mapper;
  const auto& columns = mapper.columns();
  const ObjectOps& ops = mapper.ops();
  int version = mapper.version_column();
  Write w{entries, &sql, params_.size(), 0, changed, true};
  if (version >= 0) w.changed |= std::uint64_t{1} << version;
  // Per object, in the order of Mapper::update_sql: the changed columns, the new version, the
  // primary key and the version as loaded.
  for (Entry* entry : entries) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (has(changed, c)) params_.push_back(columns[c].access->bind(entry->object));
    }
    if (version >= 0) {
      ops.restore(*entry, version);
      raised_versions_.emplace_back(entry, columns[version].access->bind(entry->object).as_int());
      columns[version].access->increment(entry->object, 1);
      params_.push_back(columns[version].access->bind(entry->object));
    }
    for (int c : mapper.primary_key()) params_.push_back(ops.saved(*entry, c));
    if (version >= 0) params_.push_back(ops.saved(*entry, version));
  }
  w.count = params_.size() - w.first;
  return w;
}

// The object of a write whose row its statement missed: the write's only object, or, of a
// multi-row UPDATE, the first whose row is gone or holds another version than the one just
// written. A row changed exactly once elsewhere holds that same version, like the rows this
// write changed, and none is named then. A read by key per object, on the way to an error.
const Entry* SessionImpl::stale_entry(const Write& w) {
  if (w.entries.size() == 1) return w.entries[0];
  const Mapper& mapper = *w.entries[0]->mapper;
  const int version = mapper.version_column();
  for (const Entry* e : w.entries) {
    auto result = read_row(*e);
    if (result.empty()) return e;
    if (version < 0) continue;
    auto written = mapper.columns()[static_cast<std::size_t>(version)].access->bind(e->object);
    if (result.row().get<std::int64_t>(version) != written.as_int()) return e;
  }
  return nullptr;
}

SessionImpl::Write SessionImpl::plan_delete(Entry* const& entry) {
  const Mapper& mapper = *entry->mapper;
  int version = mapper.version_column();
  Write w{std::span<Entry* const>(&entry, 1),
          &mapper.delete_sql(dialect()),
          params_.size(),
          0,
          0,
          version >= 0};
  for (int c : mapper.primary_key()) params_.push_back(mapper.ops().saved(*entry, c));
  if (version >= 0) params_.push_back(mapper.ops().saved(*entry, version));
  w.count = params_.size() - w.first;
  return w;
}

}  // namespace strata::orm::detail
