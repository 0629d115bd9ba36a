// Session: connection and transaction handling, the identity map, and the Session methods
// that forward to it. The flush is in flush.cpp, queries in query.cpp.
#include "strata/orm/session.hpp"

#include <fmt/format.h>

#include <algorithm>

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
  // BEGIN IMMEDIATE on SQLite: a session that begins a transaction is about to write, and
  // taking the write lock up front avoids failing on a lock upgrade later.
  if (!tx_) tx_.emplace(conn.begin_immediate());
  return conn;
}

Result SessionImpl::run(std::string_view sql, std::span<const ValueRef> params) {
  ++stats.statements;
  return connection().execute_native(sql, params);
}

Result SessionImpl::run(const sql::Statement& statement) {
  ++stats.statements;
  return sql::execute(connection(), statement);
}

TypeState& SessionImpl::state(const Mapper& mapper) {
  if (mapper.id() >= types_.size()) types_.resize(mapper.id() + 1);
  TypeState& s = types_[mapper.id()];
  s.mapper = &mapper;
  return s;
}

void* SessionImpl::add(std::unique_ptr<Entry> entry) {
  entry->state = Entry::State::pending;
  void* object = entry->object;
  pending_.push_back(std::move(entry));
  return object;
}

Entry* SessionImpl::find(const Mapper& mapper, const IdentityKey& key) {
  if (mapper.id() >= types_.size()) return nullptr;
  return types_[mapper.id()].map.find(key);
}

void* SessionImpl::load_row(const Mapper& mapper, const Row& row) {
  if (!scratch_ || scratch_->mapper != &mapper) {
    scratch_ = mapper.ops().make_empty();
    scratch_->mapper = &mapper;
  }
  IdentityKey& key = scratch_->key;
  if (mapper.integer_pk()) {
    key.i = row.get<std::int64_t>(mapper.primary_key()[0]);
  } else {
    mapper.read_primary_key(scratch_->object, row);
    key = mapper.key_of(scratch_->object);
  }
  IdentityMap& map = state(mapper).map;
  // The session's object wins over the row: its unflushed changes must not be overwritten.
  if (Entry* existing = map.find(key)) return existing->object;
  mapper.read(scratch_->object, row);
  mapper.ops().save_snapshot(*scratch_);
  scratch_->state = Entry::State::persistent;
  void* object = scratch_->object;
  map.insert(std::move(scratch_));
  return object;
}

Entry& SessionImpl::entry_of(const Mapper& mapper, void* object) {
  for (auto& e : pending_) {
    if (e->object == object) return *e;
  }
  Entry* found = nullptr;
  state(mapper).map.for_each([&](Entry& e) {
    if (e.object == object) found = &e;
  });
  if (found) return *found;
  throw ProgrammingError(
      fmt::format("this {} is not in the session: pass an object the session returned (add, get, "
                  "select), not a copy",
                  mapper.type_name()),
      {});
}

void* SessionImpl::get(const Mapper& mapper, std::span<const ValueRef> values) {
  IdentityKey key = mapper.key_of(values);
  if (Entry* e = find(mapper, key)) {
    return e->state == Entry::State::deleted ? nullptr : e->object;
  }
  // A pending INSERT or DELETE may concern this row; dirty objects cannot change which row
  // a primary key names, so they wait for the next flush.
  if (options_.autoflush && (!pending_.empty() || !deleted_.empty())) flush();
  auto result = run(mapper.get_sql(backend()), values);
  if (result.empty()) return nullptr;
  return load_row(mapper, result.row());
}

void SessionImpl::remove(const Mapper& mapper, void* object) {
  Entry& entry = entry_of(mapper, object);
  if (entry.state == Entry::State::pending) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [&](const auto& e) { return e.get() == &entry; });
    entry.state = Entry::State::detached;
    detached_.push_back(std::move(*it));
    pending_.erase(it);
    return;
  }
  if (entry.state != Entry::State::persistent) return;
  entry.state = Entry::State::deleted;
  deleted_.push_back(&entry);
}

void SessionImpl::refresh(const Mapper& mapper, void* object) {
  Entry& entry = entry_of(mapper, object);
  if (entry.state != Entry::State::persistent) {
    throw ProgrammingError(fmt::format("refresh() needs a {} that is in the database; flush it "
                                       "first",
                                       mapper.type_name()),
                           {});
  }
  std::vector<ValueRef> key;
  for (int c : mapper.primary_key())
    key.push_back(mapper.columns()[c].access->bind(entry.snapshot));
  auto result = run(mapper.get_sql(backend()), key);
  if (result.empty()) {
    throw Error(fmt::format("refresh(): the row of this {} in table {} no longer exists",
                            mapper.type_name(), mapper.table().name));
  }
  mapper.read(entry.object, result.row());
  mapper.ops().save_snapshot(entry);
}

void SessionImpl::expunge(const Mapper& mapper, void* object) {
  Entry& entry = entry_of(mapper, object);
  if (entry.state == Entry::State::pending) {
    remove(mapper, object);
    return;
  }
  std::erase(deleted_, &entry);
  entry.state = Entry::State::detached;
  detached_.push_back(state(mapper).map.erase(entry.key));
}

void SessionImpl::detach_all() {
  for (auto& s : types_) {
    for (auto& entry : s.map.release_all()) {
      entry->state = Entry::State::detached;
      detached_.push_back(std::move(entry));
    }
  }
  for (auto& entry : pending_) {
    entry->state = Entry::State::detached;
    detached_.push_back(std::move(entry));
  }
  pending_.clear();
  deleted_.clear();
}

void SessionImpl::commit() {
  flush();
  if (tx_) {
    try {
      tx_->commit();
    } catch (...) {
      // A deferred constraint or a lost connection: the work is gone either way.
      rollback();
      throw;
    }
    tx_.reset();
  }
  conn_.reset();
  if (options_.expire_on_commit) detach_all();
}

void SessionImpl::rollback() {
  if (tx_) {
    try {
      tx_->rollback();
    } catch (...) {
      // The connection may be broken; it is dropped below either way.
    }
    tx_.reset();
  }
  conn_.reset();
  detach_all();
}

void SessionImpl::close() {
  rollback();
}

}  // namespace orm::detail

Session::Session(Engine engine, SessionOptions options)
    : impl_(std::make_unique<orm::detail::SessionImpl>(std::move(engine), options)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

void* Session::add_entry(std::unique_ptr<orm::detail::Entry> entry) {
  return impl_->add(std::move(entry));
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
  impl_->autoflush();
  ++impl_->stats.statements;
  return impl_->transaction().execute(sql, params);
}

Connection& Session::connection() {
  return impl_->transaction();
}
bool Session::in_transaction() const noexcept {
  return impl_->in_transaction();
}
const SessionStats& Session::stats() const noexcept {
  return impl_->stats;
}

}  // namespace strata
