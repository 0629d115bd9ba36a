// The Session: a unit of work over mapped objects, and the SessionFactory that makes one per
// request. A session owns the objects it loads or is given (they live until the session is
// destroyed), keeps one object per row (identity map), and at flush writes what changed:
// INSERTs parents first, UPDATEs of the changed columns only, DELETEs children first.
//
//   strata::SessionFactory sessions{engine};
//   sessions.scope([&](strata::Session& session) {
//     auto& item = session.add(Item{.title = "hello"});
//     session.flush();  // item.id is filled in
//   });                 // committed; rolled back if the lambda throws
//
// With read replicas, reads go to read sessions, and RequestSessions keeps a request that wrote
// reading from the primary:
//
//   strata::SessionFactory sessions{primary, {replica1, replica2}};
//   auto items = sessions.read_scope([&](strata::Session& s) { return s.select<Item>().count(); });
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "strata/core/error.hpp"
#include "strata/engine/engine.hpp"
#include "strata/orm/expr.hpp"
#include "strata/orm/model.hpp"

namespace strata {

struct SessionOptions {
  // Flush pending changes before select(), count() and execute(), so that queries see them.
  bool autoflush = true;
  // After commit, forget every object (they stay valid until the session ends, but later
  // reads load fresh ones). Off by default: web handlers read their objects after commit.
  bool expire_on_commit = false;
};

// What a session sent to the database.
struct SessionStats {
  std::int64_t statements = 0;  // every statement executed, queries and writes
  std::int64_t flushes = 0;
  std::int64_t transactions = 0;  // begun by a flush, execute() or connection()
};

namespace orm::detail {

class SessionImpl;
class ReplicaSet;

// Where QueryCore puts the objects a query loads, in row order: Query<T>::all fills its
// vector<T*> through one, with no vector<void*> built and copied on the way.
class ObjectSink {
 public:
  virtual void reserve(std::size_t n) = 0;  // n more objects are coming
  virtual void push(void* object) = 0;

 protected:
  ~ObjectSink() = default;
};

// An ObjectSink appending to `out`, the objects being T's.
template <class T>
class VectorSink final : public ObjectSink {
 public:
  explicit VectorSink(std::vector<T*>& out) : out_(out) {}
  void reserve(std::size_t n) override { out_.reserve(out_.size() + n); }
  void push(void* object) override { out_.push_back(static_cast<T*>(object)); }

 private:
  std::vector<T*>& out_;
};

// The non-template part of a query: conditions, order, limits; runs through the session.
class QueryCore {
 public:
  QueryCore(SessionImpl& session, const Mapper& mapper) : session_(&session), mapper_(&mapper) {}
  void where(const sql::Expr& condition) { where_.push_back(condition); }
  void order_by(sql::Ordering term) { order_.push_back(std::move(term)); }
  void limit(std::int64_t n) { limit_ = n; }
  void offset(std::int64_t n) { offset_ = n; }
  void join(const Mapper& other, const sql::Expr& on, bool left);

  void all(ObjectSink& sink);
  // The matching rows, each object once, for reading without the session's tracking.
  Result rows();
  const Mapper& mapper() const noexcept { return *mapper_; }
  void* first();
  void* one();
  std::int64_t count();
  bool exists();

 private:
  struct Join {
    sql::Source source;
    sql::Expr on;
    bool left = false;
  };
  sql::Select build(std::vector<sql::Expr> columns) const;
  void load(const sql::Select& statement, ObjectSink& sink);
  std::vector<void*> load(const sql::Select& statement);

  SessionImpl* session_;
  const Mapper* mapper_;
  std::vector<sql::Expr> where_;
  std::vector<sql::Ordering> order_;
  std::optional<std::int64_t> limit_;
  std::optional<std::int64_t> offset_;
  std::vector<Join> joins_;
};

// Keyset pagination over the primary key: constant memory on every backend.
class StreamCore {
 public:
  StreamCore(SessionImpl& session, const Mapper& mapper) : session_(&session), mapper_(&mapper) {}
  void where(const sql::Expr& condition) { where_.push_back(condition); }
  void page_size(int n) { page_size_ = n; }
  // The next page's rows; empty at the end. `last` is the previous page's last object.
  Result fetch(const void* last);

 private:
  SessionImpl* session_;
  const Mapper* mapper_;
  std::vector<sql::Expr> where_;
  int page_size_ = 1000;
};

IdentityKey value_key(ValueRef value);

}  // namespace orm::detail

template <class T>
class Query;
template <class T>
class Stream;

// A foreign key from Child to Parent, for Session::load: one query loads the children of a
// whole list of parents (has_many), or the parents of a list of children (belongs_to).
template <class Child, class Parent, class K1, class K2>
struct Relation {
  K1 Child::*foreign_key;
  K2 Parent::*key;
};
template <class Child, class Parent, class K1, class K2>
requires(orm::detail::same_kind<K1, K2>()) Relation<Child, Parent, K1, K2> relation(
    K1 Child::*foreign_key, K2 Parent::*key) {
  return {foreign_key, key};
}

// The children of each parent, from Session::load_children. Holds pointers to the session's
// objects: use it while the session lives.
template <class Parent, class Child, class K2>
class Children {
 public:
  explicit Children(K2 Parent::*key) : key_(key) {}
  const std::vector<Child*>& of(const Parent& parent) const {
    static const std::vector<Child*> none;
    auto it = map_.find(orm::detail::value_key(orm::detail::Traits<K2>::bind(parent.*key_)));
    return it == map_.end() ? none : it->second;
  }
  void add(orm::detail::IdentityKey key, Child* child) { map_[std::move(key)].push_back(child); }

 private:
  K2 Parent::*key_;
  std::unordered_map<orm::detail::IdentityKey, std::vector<Child*>, orm::detail::IdentityKeyHash>
      map_;
};

// The parent of each child, from Session::load_parents.
template <class Child, class Parent, class K1>
class Parents {
 public:
  explicit Parents(K1 Child::*foreign_key) : fk_(foreign_key) {}
  Parent* of(const Child& child) const {
    auto ref = orm::detail::Traits<K1>::bind(child.*fk_);
    if (ref.is_null()) return nullptr;
    auto it = map_.find(orm::detail::value_key(ref));
    return it == map_.end() ? nullptr : it->second;
  }
  void add(orm::detail::IdentityKey key, Parent* parent) { map_[std::move(key)] = parent; }

 private:
  K1 Child::*fk_;
  std::unordered_map<orm::detail::IdentityKey, Parent*, orm::detail::IdentityKeyHash> map_;
};

// A unit of work on one connection. Move-only; used by one thread at a time (the Engine is
// shared, sessions are not). The objects a session returns are owned by it and stay valid until
// it is destroyed, so its memory grows with every object it loads and every text it writes:
// use a session per request or unit of work, not one for the life of the process. The
// connection is taken from the pool at first use; the transaction begins
// at the first flush or execute() (reads before it run as single statements), and the
// connection goes back to the pool at commit() and rollback(). Destroying a session rolls back
// what was not committed.
class Session {
 public:
  explicit Session(Engine engine, SessionOptions options = {});
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // Takes `object` into the session; INSERTed at the next flush, after which its primary key and
  // server defaults are filled in. Returns the session's object.
  template <class T>
  T& add(T object) {
    return *static_cast<T*>(add_object(orm::detail::mapper_of<T>(), &object));
  }
  // add() for many objects; the flush sends them as multi-row INSERTs.
  template <class T>
  std::vector<T*> add_all(std::vector<T> objects) {
    std::vector<T*> out;
    out.reserve(objects.size());
    for (auto& o : objects) out.push_back(&add(std::move(o)));
    return out;
  }

  // The object with this primary key (one value per key column): the session's own one when
  // loaded already, else loaded; nullptr when there is no such row.
  template <class T, class... K>
  T* get(const K&... key) {
    const std::array<ValueRef, sizeof...(K)> values{ValueRef(key)...};
    return static_cast<T*>(get_object(orm::detail::mapper_of<T>(), values));
  }

  // A query run in this session: the objects it loads belong to the session, so on a
  // temporary Session it does not compile.
  // The objects with these primary keys (a single-column key), in the order of `keys`, nullptr
  // where there is no such row: the ones the session holds already, the rest in one query per
  // 10,000 keys. A key given twice gives the same object twice.
  template <class T, class K>
  std::vector<T*> get_many(std::span<const K> keys) {
    std::vector<Value> values;
    values.reserve(keys.size());
    for (const K& k : keys) values.emplace_back(ValueRef(k));
    auto objects = get_many_objects(orm::detail::mapper_of<T>(), std::move(values));
    std::vector<T*> out;
    out.reserve(objects.size());
    for (void* o : objects) out.push_back(static_cast<T*>(o));
    return out;
  }
  template <class T, class K>
  std::vector<T*> get_many(const std::vector<K>& keys) {
    return get_many<T>(std::span<const K>(keys));
  }

  template <class T>
  Query<T> select() & {
    return Query<T>(*impl_, orm::detail::mapper_of<T>());
  }
  template <class T>
  Query<T> select() && = delete;
  // Rows of T read a page at a time into one reused buffer: untracked copies (not in the
  // identity map), constant memory. T needs a single-column primary key. The stream reads
  // through this session, so on a temporary Session it does not compile.
  template <class T>
  Stream<T> stream() & {
    return Stream<T>(*impl_, orm::detail::mapper_of<T>());
  }
  template <class T>
  Stream<T> stream() && = delete;

  // DELETEd at the next flush.
  template <class T>
  void remove(T& object) {
    remove_object(orm::detail::mapper_of<T>(), &object);
  }
  // Reloads the object from its row, dropping unflushed changes.
  template <class T>
  void refresh(T& object) {
    refresh_object(orm::detail::mapper_of<T>(), &object);
  }
  // Stops tracking the object; it stays valid until the session ends.
  template <class T>
  void expunge(T& object) {
    expunge_object(orm::detail::mapper_of<T>(), &object);
  }

  // The children of `parents` along `relation`, in one query (per 10,000 parents).
  template <class Parent, class Child, class K1, class K2>
  Children<Parent, Child, K2> load_children(const std::vector<Parent*>& parents,
                                            const Relation<Child, Parent, K1, K2>& relation);
  // The parents of `children` along `relation`, in one query (per 10,000 keys).
  template <class Child, class Parent, class K1, class K2>
  Parents<Child, Parent, K1> load_parents(const std::vector<Child*>& children,
                                          const Relation<Child, Parent, K1, K2>& relation);

  // Writes pending changes in the session's transaction. On a database error the transaction
  // is rolled back (see rollback()) and the error rethrown: the session stays usable.
  void flush();
  // flush(), then COMMIT. Objects keep their values (unless expire_on_commit).
  void commit();
  // Rolls back, and forgets every object: they stay valid until the session ends, but the
  // session no longer tracks them, and later reads load fresh ones.
  void rollback();
  // rollback(), and the connection goes back to the pool.
  void close();

  // Raw SQL with `?` placeholders in the session's transaction (begun if needed), after an
  // autoflush. Keep the Result alive while reading its rows.
  Result execute(std::string_view sql) { return execute(sql, std::span<const ValueRef>()); }
  template <class... Args>
  requires(sizeof...(Args) > 0 && (std::is_constructible_v<ValueRef, const Args&> && ...)) Result
      execute(std::string_view sql, const Args&... args) {
    const std::array<ValueRef, sizeof...(Args)> params{ValueRef(args)...};
    return execute(sql, std::span<const ValueRef>(params));
  }
  Result execute(std::string_view sql, std::span<const ValueRef> params);
  // The session's connection, in its transaction (begun if needed).
  Connection& connection();

  bool in_transaction() const noexcept;
  const SessionStats& stats() const noexcept;

 private:
  friend class SessionFactory;
  explicit Session(std::unique_ptr<orm::detail::SessionImpl> impl);

  void* add_object(const orm::detail::Mapper& mapper, void* moved_from);
  void* get_object(const orm::detail::Mapper& mapper, std::span<const ValueRef> key);
  void remove_object(const orm::detail::Mapper& mapper, void* object);
  void refresh_object(const orm::detail::Mapper& mapper, void* object);
  void expunge_object(const orm::detail::Mapper& mapper, void* object);
  std::vector<void*> load_where_in(const orm::detail::Mapper& mapper, int column,
                                   std::vector<Value> keys);
  std::vector<void*> get_many_objects(const orm::detail::Mapper& mapper, std::vector<Value> keys);
  // The objects of To whose `to_member` equals the `from_member` of one of `objects`.
  template <class From, class To, class KF, class KT>
  std::vector<To*> load_related(const std::vector<From*>& objects, KF From::*from_member,
                                KT To::*to_member);

  std::unique_ptr<orm::detail::SessionImpl> impl_;
};

// A query for objects of T, from Session::select<T>(). Built and run in the session's thread;
// the objects returned are the session's own.
template <class T>
class Query {
 public:
  Query(orm::detail::SessionImpl& session, const orm::detail::Mapper& mapper)
      : core_(session, mapper) {}

  Query& where(const Condition& condition) { return core_.where(condition.expr()), *this; }
  Query& order_by(sql::Ordering term) { return core_.order_by(std::move(term)), *this; }
  template <class S, class M>
  Query& order_by(const Col<S, M>& column) {
    return core_.order_by(column.asc()), *this;
  }
  Query& limit(std::int64_t n) { return core_.limit(n), *this; }
  Query& offset(std::int64_t n) { return core_.offset(n), *this; }
  // Joins the table of U, to filter on its columns; the rows are still T's (each once).
  template <class U>
  Query& join(const Condition& on) {
    return core_.join(orm::detail::mapper_of<U>(), on.expr(), false), *this;
  }
  template <class U>
  Query& left_join(const Condition& on) {
    return core_.join(orm::detail::mapper_of<U>(), on.expr(), true), *this;
  }

  std::vector<T*> all() {
    std::vector<T*> out;
    orm::detail::VectorSink<T> into(out);
    core_.all(into);
    return out;
  }
  // The first row's object, or nullptr.
  T* first() { return static_cast<T*>(core_.first()); }
  // The one row's object; NoResultFound or MultipleResultsFound otherwise.
  T& one() { return *static_cast<T*>(core_.one()); }
  std::int64_t count() { return core_.count(); }
  bool exists() { return core_.exists(); }
  // Copies of the matching rows, not tracked by the session: no identity map, no snapshot, so
  // nothing to flush and nothing kept once they are returned. For reads that only list (an
  // HTTP list endpoint); changes to them are not saved.
  std::vector<T> untracked() {
    auto result = core_.rows();
    std::vector<T> out;
    for (const auto& row : result) core_.mapper().read(&out.emplace_back(), row);
    return out;
  }

 private:
  orm::detail::QueryCore core_;
};

// An untracked read of every row of T (matching where()), in primary-key order. Input range.
template <class T>
class Stream {
 public:
  Stream(orm::detail::SessionImpl& session, const orm::detail::Mapper& mapper)
      : core_(session, mapper), mapper_(&mapper) {}

  Stream& where(const Condition& condition) & { return core_.where(condition.expr()), *this; }
  Stream& page_size(int rows) & { return core_.page_size(rows), *this; }
  // On a temporary, a new Stream: `for (auto& x : s.stream<T>().where(...))` must not iterate
  // a reference to a temporary that the range-for has already destroyed.
  Stream where(const Condition& condition) && {
    core_.where(condition.expr());
    return std::move(*this);
  }
  Stream page_size(int rows) && {
    core_.page_size(rows);
    return std::move(*this);
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    iterator() = default;
    explicit iterator(Stream* stream) : stream_(stream) {
      if (!stream_->advance()) stream_ = nullptr;
    }
    const T& operator*() const { return stream_->current(); }
    const T* operator->() const { return &stream_->current(); }
    iterator& operator++() {
      if (!stream_->advance()) stream_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(const iterator& other) const noexcept { return stream_ == other.stream_; }

   private:
    Stream* stream_ = nullptr;
  };

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  const T& current() const { return page_[position_]; }
  bool advance() {
    if (++position_ < count_) return true;
    if (done_) return false;
    const void* last = count_ > 0 ? &page_[count_ - 1] : nullptr;
    auto result = core_.fetch(last);
    std::size_t n = 0;
    for (const auto& row : result) {
      if (n == page_.size()) page_.emplace_back();
      mapper_->read(&page_[n++], row);
    }
    done_ = n == 0;
    count_ = n;
    position_ = 0;
    return n > 0;
  }

  orm::detail::StreamCore core_;
  const orm::detail::Mapper* mapper_;
  std::vector<T> page_;
  std::size_t count_ = 0;
  std::size_t position_ = static_cast<std::size_t>(-1);
  bool done_ = false;
};

template <class From, class To, class KF, class KT>
std::vector<To*> Session::load_related(const std::vector<From*>& objects, KF From::*from_member,
                                       KT To::*to_member) {
  const auto& from = orm::detail::mapper_of<From>();
  const auto& to = orm::detail::mapper_of<To>();
  const auto& access =
      *from.columns()[orm::detail::resolve_member(from, typeid(KF From::*), &from_member)].access;
  int to_column = orm::detail::resolve_member(to, typeid(KT To::*), &to_member);
  std::vector<Value> keys;
  keys.reserve(objects.size());
  for (const From* o : objects) keys.emplace_back(access.bind(o));
  std::vector<To*> out;
  for (void* o : load_where_in(to, to_column, std::move(keys))) out.push_back(static_cast<To*>(o));
  return out;
}

template <class Parent, class Child, class K1, class K2>
Children<Parent, Child, K2> Session::load_children(
    const std::vector<Parent*>& parents, const Relation<Child, Parent, K1, K2>& relation) {
  Children<Parent, Child, K2> out(relation.key);
  for (Child* child : load_related(parents, relation.key, relation.foreign_key)) {
    out.add(orm::detail::value_key(orm::detail::Traits<K1>::bind(child->*relation.foreign_key)),
            child);
  }
  return out;
}

template <class Child, class Parent, class K1, class K2>
Parents<Child, Parent, K1> Session::load_parents(const std::vector<Child*>& children,
                                                 const Relation<Child, Parent, K1, K2>& relation) {
  Parents<Child, Parent, K1> out(relation.foreign_key);
  for (Parent* parent : load_related(children, relation.foreign_key, relation.key)) {
    out.add(orm::detail::value_key(orm::detail::Traits<K2>::bind(parent->*relation.key)), parent);
  }
  return out;
}

namespace orm::detail {

// Runs `work(session)` and commits when it returns; on an exception the session rolls back as it
// is destroyed. What every scope() shares.
template <class F>
auto commit_after(Session& session, F& work) -> std::invoke_result_t<F&, Session&> {
  if constexpr (std::is_void_v<std::invoke_result_t<F&, Session&>>) {
    work(session);
    session.commit();
  } else {
    auto result = work(session);
    session.commit();
    return result;
  }
}

}  // namespace orm::detail

// Where a read session goes.
enum class ReadFrom {
  replica,  // a replica that is reachable and close enough behind the primary, else the primary
  primary,  // the primary: for reads that must see what was just committed
};

// How a SessionFactory uses its read replicas.
struct ReplicaOptions {
  // A replica further behind the primary than this serves no reads until it catches up
  // (Config::replica_max_lag reads it from strata.toml or DATABASE_REPLICA_MAX_LAG). A replica
  // that has replayed everything it received from a streaming primary counts as 0 behind.
  std::chrono::milliseconds max_lag{10'000};
  // How often, at most, each replica is asked for its lag (one query, on a connection of its
  // own pool); reads in between go by the last answer. A replica that failed a read, or could
  // not be reached, is not tried again for this long.
  std::chrono::milliseconds check_interval{1'000};
};

// Makes sessions that share one engine and one set of options, and read-only sessions that go
// to read replicas when it has some. Cheap to copy: copies share the engines and what is known of
// the replicas. Thread-safe: every thread or request takes its own Session from the one factory.
class SessionFactory {
 public:
  explicit SessionFactory(Engine engine, SessionOptions options = {})
      : engine_(std::move(engine)), options_(options) {}
  // Sessions on `primary`; read sessions on `replicas` (streaming standbys of it, an engine and
  // pool each), in turn, skipping those that cannot be reached or trail by more than
  // replica_options.max_lag. Throws ConfigError when the primary's backend has no replicas
  // (SQLite: make the factory without them) or a replica is of another backend.
  SessionFactory(Engine primary, std::vector<Engine> replicas, SessionOptions options = {},
                 ReplicaOptions replica_options = {});

  // A session on the primary, for reads and writes.
  Session operator()() const { return Session(engine_, options_); }
  // A read-only session. A flush with changes throws UsageError, and where the backend
  // has read-only transactions (PostgreSQL) its transaction is one, so that execute() cannot
  // write either. With ReadFrom::replica it goes to the next fit replica in turn, or to the
  // primary when none is fit (or there are none). When its replica fails to connect or to answer
  // its first statement (down, shutting down, starting), that statement runs on the primary
  // instead and the caller sees no error; a failure after a statement was answered is thrown,
  // as nothing can be retried then without the caller knowing.
  Session read_session(ReadFrom from = ReadFrom::replica) const;

  // Runs `work(session)` with a new session and commits when it returns; on an exception the
  // session rolls back and the exception propagates. Returns what `work` returns.
  template <class F>
  auto scope(F&& work) const -> std::invoke_result_t<F&, Session&> {
    Session session = (*this)();
    return orm::detail::commit_after(session, work);
  }
  // scope() with read_session(from): `work` only reads.
  template <class F>
  auto read_scope(ReadFrom from, F&& work) const -> std::invoke_result_t<F&, Session&> {
    Session session = read_session(from);
    return orm::detail::commit_after(session, work);
  }
  template <class F>
  auto read_scope(F&& work) const -> std::invoke_result_t<F&, Session&> {
    return read_scope(ReadFrom::replica, work);
  }

  // The primary.
  const Engine& engine() const noexcept { return engine_; }
  const SessionOptions& options() const noexcept { return options_; }

 private:
  Engine engine_;
  SessionOptions options_;
  std::shared_ptr<orm::detail::ReplicaSet> replicas_;  // null without replicas
};

// One request's sessions, reading its own writes: its reads go to a replica until the request
// has written, and to the primary from then on, since a replica may not have replayed that write
// yet. Make one per request (or per unit of work that must see its own writes), on the stack of
// the thread serving it. Not thread-safe: one thread uses it at a time. It holds a copy of the
// factory, so it may outlive the one it was made from.
//
//   strata::RequestSessions request{sessions};
//   request.scope([&](strata::Session& s) { s.add(Item{.title = "new"}); });
//   request.read_scope([&](strata::Session& s) { ... });  // on the primary: sees the new item
class RequestSessions {
 public:
  explicit RequestSessions(SessionFactory factory) noexcept : factory_(std::move(factory)) {}

  // The factory's scope(). The request has written once a session of this began a transaction
  // (a flush, execute() or connection()), committed or not: a COMMIT whose answer was lost may
  // have committed.
  template <class F>
  auto scope(F&& work) -> std::invoke_result_t<F&, Session&> {
    Session session = factory_();
    struct NoteWrite {
      RequestSessions& request;
      const Session& session;
      ~NoteWrite() {
        if (session.stats().transactions > 0) request.note_write();
      }
    } note{*this, session};
    return orm::detail::commit_after(session, work);
  }
  // The factory's read_scope(): on a replica until the request has written.
  template <class F>
  auto read_scope(F&& work) const -> std::invoke_result_t<F&, Session&> {
    return factory_.read_scope(reads_from(), work);
  }
  Session read_session() const { return factory_.read_session(reads_from()); }

  // Records a write made another way (a Connection of the engine, another service this request
  // called): later reads go to the primary.
  void note_write() noexcept { wrote_ = true; }
  bool wrote() const noexcept { return wrote_; }
  ReadFrom reads_from() const noexcept { return wrote_ ? ReadFrom::primary : ReadFrom::replica; }

 private:
  SessionFactory factory_;
  bool wrote_ = false;
};

}  // namespace strata
