// Session: connection and transaction handling, the identity map, and the Session methods
// that forward to it. The flush is in flush.cpp, queries in query.cpp.
#include "strata/orm/session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "replicas.hpp"
#include "session_impl.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/sql/execute.hpp"

namespace strata {
namespace orm::detail {

Connection& SessionImpl::connection() {
  if (!conn_) conn_.emplace(engine_.connect());
  return *conn_;
}

Connection& SessionImpl::transaction() {
  Connection& conn = connection();
  if (tx_) return conn;
  ++stats.transactions;
  if (!read_only_) {
    // BEGIN IMMEDIATE on SQLite: a session that begins a transaction is about to write, and
    // taking the write lock up front avoids failing on a lock upgrade later.
    tx_.emplace(conn.begin_immediate());
    return conn;
  }
  tx_.emplace(conn.begin());
  if (auto sql = dialect().read_only_transaction_sql(); !sql.empty()) {
    conn.execute_script(sql);
  }
  return conn;
}

template <class F>
decltype(auto) SessionImpl::routed(F&& step) {
  if (!fallback_) return step();
  try {
    decltype(auto) answer = step();
    fallback_.reset();  // answered: the session stays on its replica
    return answer;
  } catch (const OperationalError& error) {
    if (!fall_back(error)) throw;
  }
  return step();
}

bool SessionImpl::fall_back(const OperationalError& error) {
  if (!dialect().replica_unavailable(error)) return false;
  Fallback fallback = std::move(*fallback_);
  fallback_.reset();
  fallback.replicas->mark_down(fallback.replica, error);
  drop_connection();
  engine_ = std::move(fallback.primary);
  return true;
}

Result SessionImpl::run(std::string_view sql, std::span<const ValueRef> params) {
  ++stats.statements;
  return routed([&] { return connection().execute_native(sql, params); });
}

Result SessionImpl::run(const sql::Statement& statement) {
  ++stats.statements;
  return routed([&] { return sql::execute(connection(), statement); });
}

Result SessionImpl::execute(std::string_view sql, std::span<const ValueRef> params) {
  autoflush();
  ++stats.statements;
  return routed([&] { return transaction().execute(sql, params); });
}

Connection& SessionImpl::lend_connection() {
  return routed([&]() -> Connection& { return transaction(); });
}

TypeState& SessionImpl::add_state(const Mapper& mapper) {
  if (mapper.id() >= types_.size()) types_.resize(mapper.id() + 1);
  TypeState& s = types_[mapper.id()];
  s.mapper = &mapper;
  return s;
}

SessionImpl::~SessionImpl() {
  for (Entry* e : owned_) e->~Entry();
  Spare<Entry*>::give(owned_);
}

Entry* SessionImpl::make_entry(const Mapper& mapper, void* moved_from) {
  const ObjectOps& ops = mapper.ops();
  void* storage = arena_.allocate(ops.entry_size(), ops.entry_align());
  owned_.push_back(nullptr);  // first, so that a constructed entry is always listed
  try {
    owned_.back() = ops.make(storage, moved_from);
  } catch (...) {
    owned_.pop_back();
    throw;
  }
  owned_.back()->mapper = &mapper;
  return owned_.back();
}

void* SessionImpl::add(const Mapper& mapper, void* moved_from) {
  Entry* entry = make_entry(mapper, moved_from);
  entry->state = Entry::State::pending;
  pending_.push_back(entry);
  return entry->object;
}

Entry* SessionImpl::find(const Mapper& mapper, const IdentityKey& key) {
  if (mapper.id() >= types_.size()) return nullptr;
  return types_[mapper.id()].map.find(key);
}

// The rows are read into entries first and go into the identity map at the end, sized once:
// where the backend gives no count up front (SQLite), growing the map as rows come rehashes
// every entry at each doubling, and each row's probe is a cache miss in a large map. A key a
// result repeats (a view, a table whose key the database does not enforce) still gives one
// object, the first row's, as load_row does. Rows read before a failure stay tracked.
void SessionImpl::load_first(const Mapper& mapper, Result& result, ObjectSink& sink) {
  const ObjectOps& ops = mapper.ops();
  std::vector<Entry*> loaded;
  Spare keep_loaded(loaded);
  // Where the backend knows the count (PostgreSQL), the entry lists grow once too.
  if (auto n = result.row_count()) {
    loaded.reserve(static_cast<std::size_t>(*n));
    owned_.reserve(owned_.size() + static_cast<std::size_t>(*n));
  }
  IdentityMap& map = state(mapper).map;
  auto track = [&] {
    map.reserve(loaded.size());
    for (Entry*& e : loaded) {
      if (Entry* first = map.find_or_insert(e, [] {})) {
        e->state = Entry::State::detached;
        e = first;
      }
    }
  };
  try {
    for (const auto& row : result) {
      Entry* e = make_entry(mapper, nullptr);
      ops.read(*e, row);
      e->key = mapper.key_of(e->object);  // no probe to start early: the key comes from the object
      ops.save(*e, all_columns(mapper), arena_);
      e->state = Entry::State::persistent;
      loaded.push_back(e);
    }
  } catch (...) {
    track();
    throw;
  }
  track();
  // The count is known now on every backend: the caller's list is allocated once.
  sink.reserve(loaded.size());
  for (Entry* e : loaded) sink.push(e->object);
}

void* SessionImpl::load_row(const Mapper& mapper, const Row& row) {
  if (!scratch_ || scratch_->mapper != &mapper) scratch_ = make_entry(mapper, nullptr);
  IdentityKey& key = scratch_->key;
  if (mapper.integer_pk()) {
    key.i = row.get<std::int64_t>(mapper.primary_key()[0]);
  } else {
    mapper.read_primary_key(scratch_->object, row);
    key = mapper.key_of(scratch_->object);
  }
  IdentityMap& map = state(mapper).map;
  // The slot is fetched from memory while the row is read: in a large map it is a cache miss.
  map.prefetch(key);
  const ObjectOps& ops = mapper.ops();
  ops.read(*scratch_, row);
  // The session's object wins over the row: its unflushed changes must not be overwritten.
  Entry* existing = map.find_or_insert(scratch_, [&] {
    ops.save(*scratch_, all_columns(mapper), arena_);
    scratch_->state = Entry::State::persistent;
  });
  if (existing) return existing->object;
  return std::exchange(scratch_, nullptr)->object;
}

Entry& SessionImpl::entry_of(const Mapper& mapper, void* object) {
  for (Entry* e : pending_) {
    if (e->object == object) return *e;
  }
  Entry* found = nullptr;
  state(mapper).map.for_each([&](Entry& e) {
    if (e.object == object) found = &e;
  });
  if (found) return *found;
  throw UsageError(
      fmt::format("this {} is not in the session: pass an object the session returned (add, get, "
                  "select), not a copy",
                  mapper.type_name()));
}

void* SessionImpl::get(const Mapper& mapper, std::span<const ValueRef> values) {
  IdentityKey key = mapper.key_of(values);
  if (Entry* e = find(mapper, key)) {
    return e->state == Entry::State::deleted ? nullptr : e->object;
  }
  // A pending INSERT or DELETE may concern this row; dirty objects cannot change which row
  // a primary key names, so they wait for the next flush.
  if (options_.autoflush && (!pending_.empty() || !deleted_.empty())) flush();
  auto result = run(mapper.get_sql(dialect()), values);
  if (result.empty()) return nullptr;
  return load_row(mapper, result.row());
}

void SessionImpl::remove(const Mapper& mapper, void* object) {
  Entry& entry = entry_of(mapper, object);
  if (entry.state == Entry::State::pending) {
    entry.state = Entry::State::detached;
    std::erase(pending_, &entry);
    return;
  }
  if (entry.state != Entry::State::persistent) return;
  entry.state = Entry::State::deleted;
  deleted_.push_back(&entry);
}

// The row of `entry` as the database holds it now, read by the key it was loaded with.
Result SessionImpl::read_row(const Entry& entry) {
  const Mapper& mapper = *entry.mapper;
  std::vector<ValueRef> key;
  for (int c : mapper.primary_key()) key.push_back(mapper.ops().saved(entry, c));
  return run(mapper.get_sql(dialect()), key);
}

void SessionImpl::refresh(const Mapper& mapper, void* object) {
  Entry& entry = entry_of(mapper, object);
  if (entry.state != Entry::State::persistent) {
    throw UsageError(fmt::format("refresh() needs a {} that is in the database; flush it first",
                                 mapper.type_name()));
  }
  auto result = read_row(entry);
  if (result.empty()) {
    throw NoResultFound(fmt::format("refresh(): the row of this {} in table {} no longer exists",
                                    mapper.type_name(), mapper.table().name));
  }
  mapper.read(entry.object, result.row());
  mapper.ops().save(entry, all_columns(mapper), arena_);
}

void SessionImpl::expunge(const Mapper& mapper, void* object) {
  Entry& entry = entry_of(mapper, object);
  if (entry.state == Entry::State::pending) {
    remove(mapper, object);
    return;
  }
  std::erase(deleted_, &entry);
  entry.state = Entry::State::detached;
  state(mapper).map.erase(entry.key);
}

void SessionImpl::detach_all() {
  for (auto& s : types_) {
    s.map.for_each([](Entry& entry) { entry.state = Entry::State::detached; });
    s.map.clear();
  }
  for (Entry* entry : pending_) entry->state = Entry::State::detached;
  pending_.clear();
  deleted_.clear();
}

void SessionImpl::commit() {
  flush();
  if (tx_) {
    try {
      tx_->commit();
    } catch (const OperationalError& e) {
      // A read-only transaction wrote nothing, so losing its server at the end loses nothing.
      if (!read_only_ || !dialect().replica_unavailable(e)) {
        rollback();
        throw;
      }
    } catch (...) {
      // A deferred constraint or a lost connection: the work is gone either way.
      rollback();
      throw;
    }
    tx_.reset();
  }
  raised_versions_.clear();
  conn_.reset();
  if (options_.expire_on_commit) detach_all();
}

void SessionImpl::drop_connection() noexcept {
  if (tx_) {
    try {
      tx_->rollback();
    } catch (...) {
      // The connection may be broken; it is dropped below either way.
    }
    tx_.reset();
  }
  conn_.reset();
}

void SessionImpl::rollback() {
  restore_versions();
  drop_connection();
  detach_all();
}

// The objects go back to the versions they held before this transaction's flushes raised
// them, the user's other changes kept. In reverse, so that an object raised by several flushes
// ends at its first value.
void SessionImpl::restore_versions() noexcept {
  for (auto it = raised_versions_.rbegin(); it != raised_versions_.rend(); ++it) {
    auto& [entry, version] = *it;
    const Mapper& m = *entry->mapper;
    const auto& access = *m.columns()[static_cast<std::size_t>(m.version_column())].access;
    access.increment(entry->object, version - access.bind(entry->object).as_int());
  }
  raised_versions_.clear();
}

void SessionImpl::close() {
  rollback();
}

}  // namespace orm::detail

Session::Session(Engine engine, SessionOptions options)
    : impl_(std::make_unique<orm::detail::SessionImpl>(std::move(engine), options)) {}
Session::Session(std::unique_ptr<orm::detail::SessionImpl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void* Session::add_object(const orm::detail::Mapper& mapper, void* moved_from) {
  return impl_->add(mapper, moved_from);
}
void* Session::get_object(const orm::detail::Mapper& mapper, std::span<const ValueRef> key) {
  return impl_->get(mapper, key);
}
void Session::remove_object(const orm::detail::Mapper& mapper, void* object) {
  impl_->remove(mapper, object);
}
void Session::refresh_object(const orm::detail::Mapper& mapper, void* object) {
  impl_->refresh(mapper, object);
}
void Session::expunge_object(const orm::detail::Mapper& mapper, void* object) {
  impl_->expunge(mapper, object);
}

void Session::flush() {
  impl_->flush();
}
void Session::commit() {
  impl_->commit();
}
void Session::rollback() {
  impl_->rollback();
}
void Session::close() {
  impl_->close();
}

Result Session::execute(std::string_view sql, std::span<const ValueRef> params) {
  return impl_->execute(sql, params);
}

Connection& Session::connection() {
  return impl_->lend_connection();
}
bool Session::in_transaction() const noexcept {
  return impl_->in_transaction();
}
const SessionStats& Session::stats() const noexcept {
  return impl_->stats;
}

}  // namespace strata
