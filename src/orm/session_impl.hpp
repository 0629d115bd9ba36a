// The state behind a Session: its connection and transaction, the identity map per mapped
// type, the objects waiting for INSERT or DELETE, and the flush that writes them.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "arena.hpp"
#include "identity_map.hpp"
#include "spare.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/engine/engine.hpp"
#include "strata/orm/mapper.hpp"
#include "strata/orm/session.hpp"
#include "strata/sql/statement.hpp"

namespace strata::orm::detail {

// Bit i set for every column i of `mapper`.
inline std::uint64_t all_columns(const Mapper& mapper) {
  std::size_t n = mapper.columns().size();
  return n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
}

struct TypeState {
  const Mapper* mapper = nullptr;
  IdentityMap map;
};

// Owned by one Session; used by one thread at a time.
class SessionImpl {
 public:
  // Where a read session on a replica goes when the replica fails it before answering.
  struct Fallback {
    Engine primary;
    std::shared_ptr<ReplicaSet> replicas;
    std::size_t replica = 0;
  };

  SessionImpl(Engine engine, SessionOptions options, bool read_only = false,
              std::optional<Fallback> fallback = std::nullopt)
      : engine_(std::move(engine)),
        options_(options),
        read_only_(read_only),
        fallback_(std::move(fallback)),
        owned_(Spare<Entry*>::take()) {}
  SessionImpl(const SessionImpl&) = delete;
  SessionImpl& operator=(const SessionImpl&) = delete;
  ~SessionImpl();

  // The connection, taken from the pool at first use; no transaction is begun.
  Connection& connection();
  // The connection in the session's transaction, begun if needed.
  Connection& transaction();
  bool in_transaction() const noexcept { return tx_.has_value(); }
  // Runs SQL in the backend's own placeholders, counting it.
  Result run(std::string_view sql, std::span<const ValueRef> params);
  Result run(const sql::Statement& statement);
  // Raw SQL with `?` placeholders in the transaction (Session::execute).
  Result execute(std::string_view sql, std::span<const ValueRef> params);
  // transaction() for a caller that runs statements of its own on it (Session::connection).
  Connection& lend_connection();
  // Whose SQL the session's statements are written in.
  const Dialect& dialect() const { return Dialect::of(engine_.backend()); }

  // A new pending object of `mapper`, moved from `moved_from`.
  void* add(const Mapper& mapper, void* moved_from);
  // The object of `row` (columns in mapper order): the session's own one when the row is
  // loaded already, else a new tracked one.
  void* load_row(const Mapper& mapper, const Row& row);
  // Whether the session holds no object of `mapper` yet: then a query's rows can go into the
  // identity map all at once, after they are read (load_first).
  bool holds_none(const Mapper& mapper) { return state(mapper).map.size() == 0; }
  // Every row of `result` as an object of `mapper`, each handed to `sink`, for a session that
  // holds none yet (see holds_none).
  void load_first(const Mapper& mapper, Result& result, ObjectSink& sink);
  Entry* find(const Mapper& mapper, const IdentityKey& key);
  // The entry holding `object`; UsageError when the session does not track it.
  Entry& entry_of(const Mapper& mapper, void* object);

  void* get(const Mapper& mapper, std::span<const ValueRef> key);
  void remove(const Mapper& mapper, void* object);
  void refresh(const Mapper& mapper, void* object);
  void expunge(const Mapper& mapper, void* object);

  void autoflush() {
    if (options_.autoflush) flush();
  }
  void flush();
  void commit();
  void rollback();
  void close();

  SessionStats stats;

 private:
  // The state of `mapper`'s type, made at its first use; inline as loading asks for every row.
  TypeState& state(const Mapper& mapper) {
    if (mapper.id() < types_.size() && types_[mapper.id()].mapper) return types_[mapper.id()];
    return add_state(mapper);
  }
  TypeState& add_state(const Mapper& mapper);
  // Runs `step` (statements); see SessionFactory::read_session for when it runs again on the
  // primary.
  template <class F>
  decltype(auto) routed(F&& step);
  // Moves a read session from its failing replica to the primary; false when `error` is not
  // one a replica fails a read with.
  bool fall_back(const OperationalError& error);
  // Ends the transaction, if any, and gives back the connection.
  void drop_connection() noexcept;
  void detach_all();
  void flush_changes();
  void restore_versions() noexcept;
  // The changed persistent objects with their changed columns; `involved` gets every mapper
  // with something to write.
  void collect_dirty(std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                     std::vector<const Mapper*>& involved);
  void insert_pending(const Mapper& mapper, std::vector<Entry*>& entries);
  void insert_batch(const Mapper& mapper, std::span<Entry* const> batch, std::uint64_t omitted);
  // The key of the last row inserted (Mapper::last_key_sql, `sql`); refuses one not stored.
  std::int64_t last_key(const Mapper& mapper, const std::string& sql);
  void sort_returned_by_key(const Mapper& mapper, std::span<Entry* const> batch,
                            const std::vector<int>& returned);
  // One UPDATE or DELETE of a flush: the objects it writes, its statement, its values
  // (params_[first, first+count)), the columns it writes (none for a DELETE), and whether it
  // must match exactly one row per object.
  struct Write {
    std::span<Entry* const> entries;
    const std::string* sql;
    std::size_t first;
    std::size_t count;
    std::uint64_t changed;
    bool checked;
  };
  void write_changes(const std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                     const std::vector<const Mapper*>& order);
  // The object whose row a write that changed too few rows missed, where it can be told.
  const Entry* stale_entry(const Write& w);
  Result read_row(const Entry& entry);
  // The UPDATEs of the `dirty` objects: those of one type with the same changed columns
  // together, several rows per statement where the dialect can; `targets` holds their objects.
  void plan_updates(const std::vector<std::pair<Entry*, std::uint64_t>>& dirty,
                    std::vector<Entry*>& targets, std::vector<Write>& writes);
  // The UPDATE of the `changed` columns of `entries` (all of one type), with `sql` from
  // Mapper::update_sql or, for several, Mapper::update_rows_sql.
  Write plan_update(std::span<Entry* const> entries, std::uint64_t changed, const std::string& sql);
  Write plan_delete(Entry* const& entry);
  void persist(Entry& entry);
  // A new entry in the arena, its object moved from `moved_from` or empty when that is null.
  Entry* make_entry(const Mapper& mapper, void* moved_from);
  std::uint64_t changed_columns(const Entry& entry) const;

  Engine engine_;
  SessionOptions options_;
  bool read_only_ = false;
  std::optional<Fallback> fallback_;  // until the replica answers a statement
  std::optional<Connection> conn_;
  std::optional<Transaction> tx_;  // after conn_: ends first
  std::vector<TypeState> types_;   // by Mapper::id()
  // Every entry the session made lives in the arena until the session ends (objects handed
  // out stay valid after rollback, expunge and remove); `owned_` lists them in creation order.
  Arena arena_;
  std::vector<Entry*> owned_;
  // The version each object held before this transaction's flushes first raised it: the one
  // the database keeps should the transaction roll back.
  std::vector<std::pair<Entry*, std::int64_t>> raised_versions_;
  std::vector<Entry*> pending_;
  std::vector<Entry*> deleted_;
  Entry* scratch_ = nullptr;  // a row's object read before the identity map is asked
  std::vector<ValueRef> params_;
  bool flushing_ = false;
};

}  // namespace strata::orm::detail
