// The type-erased description of a mapped struct that the Session works with: its Table, its
// columns with accessors that read and write members through `void*`, and the SQL text of its
// statements, compiled by the sql layer once per dialect and statement shape. Templates
// (orm/model.hpp) fill it in; everything else about the ORM (flush, identity map, queries) is
// ordinary code in src/orm, so that a model costs its users little compile time.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "strata/core/value.hpp"
#include "strata/engine/result.hpp"
#include "strata/schema/table.hpp"
#include "strata/sql/expression.hpp"

namespace strata {
class Dialect;
}

namespace strata::orm::detail {

class Mapper;
class SqlCache;

// Identifies a row within a session: the integer primary key, or the primary key's values
// encoded as bytes (text, uuid, composite keys).
struct IdentityKey {
  std::int64_t i = 0;
  std::string s;
  bool operator==(const IdentityKey&) const = default;
};
struct IdentityKeyHash {
  std::size_t operator()(const IdentityKey& k) const noexcept {
    if (k.s.empty()) return static_cast<std::size_t>(k.i) * 0x9E3779B97F4A7C15ull;
    return std::hash<std::string>{}(k.s);
  }
};

// One object a session owns: the object and its snapshot, the column values it was last
// flushed or loaded with, kept compactly (text as views of bytes in the session's arena).
struct Entry {
  enum class State : std::uint8_t { pending, persistent, deleted, detached };

  virtual ~Entry() = default;
  void* object = nullptr;
  const Mapper* mapper = nullptr;
  State state = State::pending;
  IdentityKey key;
};

template <class T, class Snapshot>
struct EntryOf final : Entry {
  T obj;
  Snapshot snap;
  EntryOf() : obj(), snap() { object = &obj; }
  explicit EntryOf(T&& from) : obj(std::move(from)), snap() { object = &obj; }
};

// Where snapshots keep the bytes of their text (a session's arena: freed with the session).
// The bump of the current block is inline, as loading a row saves each text column into it;
// only a new block goes through refill(). Used by one thread at a time, like its session.
class SnapshotStorage {
 public:
  // `size` unaligned bytes, valid as long as the storage.
  void* allocate(std::size_t size) {
    if (size <= static_cast<std::size_t>(end_ - next_)) return std::exchange(next_, next_ + size);
    return refill(size);
  }

 protected:
  ~SnapshotStorage() = default;
  // `size` bytes when the current block has too few; may move next_ and end_ to a new block.
  virtual void* refill(std::size_t size) = 0;

  std::byte* next_ = nullptr;  // the free bytes of the current block
  std::byte* end_ = nullptr;
};

// Reads and writes one member of an object given as `void*`.
class ColumnAccess {
 public:
  virtual ~ColumnAccess() = default;
  virtual ValueRef bind(const void* object) const = 0;
  virtual void read(void* object, const Row& row, int column) const = 0;
  // Whether the member holds its value-initialized value (0, "", nullopt): a column the
  // database fills is then left out of the INSERT.
  virtual bool empty(const void* object) const = 0;
  virtual void copy(void* to, const void* from) const = 0;
  // Adds `by` to an integer member (version counters).
  virtual void increment(void* object, std::int64_t by) const = 0;
  // Whether `member_pointer` points at a `M T::*` naming this member.
  virtual bool is(const std::type_info& pointer_type, const void* member_pointer) const = 0;
};

// Creates and copies whole objects. A session places its entries in its own arena, so that
// loading many rows costs no allocation per entry and the entries are freed in order.
class ObjectOps {
 public:
  virtual ~ObjectOps() = default;
  virtual std::size_t entry_size() const noexcept = 0;
  virtual std::size_t entry_align() const noexcept = 0;
  // Builds an entry in `storage` (entry_size() bytes aligned to entry_align()), its object
  // moved from `moved_from`, or value-initialized when that is null. Destroy it with ~Entry().
  virtual Entry* make(void* storage, void* moved_from) const = 0;
  // Reads every column of `row` (in column order, from column 0) into the entry's object: one
  // call per row where ColumnAccess::read is one per column.
  virtual void read(Entry& entry, const Row& row) const = 0;
  // Saves the `columns` (bit i: column i) of the entry's object into its snapshot.
  virtual void save(Entry& entry, std::uint64_t columns, SnapshotStorage& storage) const = 0;
  // The columns whose member differs from the snapshot (bit i: column i).
  virtual std::uint64_t changed(const Entry& entry) const = 0;
  // A column's value in the snapshot, valid while the session lives.
  virtual ValueRef saved(const Entry& entry, int column) const = 0;
  // Sets a column's member back to its value in the snapshot.
  virtual void restore(Entry& entry, int column) const = 0;
  virtual const std::type_info& type() const noexcept = 0;
};

struct MappedColumn {
  std::string name;
  std::shared_ptr<const ColumnAccess> access;
  bool primary_key = false;
  bool generated = false;  // autoincrement or server default: omitted from INSERT when empty
  bool version = false;
  bool computed = false;  // written by the database only: omitted from INSERT and UPDATE
};

// A mapped struct. Immutable once built, except for its SQL cache, which is safe to share: one
// Mapper serves every thread and every session.
class Mapper {
 public:
  Mapper(Table table, std::vector<MappedColumn> columns, std::unique_ptr<ObjectOps> ops);
  Mapper(const Mapper&) = delete;
  Mapper& operator=(const Mapper&) = delete;
  ~Mapper();

  // A small number unique to this mapper within the process, for per-type session state.
  std::size_t id() const noexcept { return id_; }
  const Table& table() const noexcept { return table_; }
  const sql::Source& source() const noexcept { return source_; }
  const std::vector<MappedColumn>& columns() const noexcept { return columns_; }
  const std::vector<int>& primary_key() const noexcept { return pk_; }
  int version_column() const noexcept { return version_; }
  // The columns marked computed(), one bit each by index.
  std::uint64_t computed_columns() const noexcept { return computed_; }
  // A single integer primary key: identity keys are the integer itself.
  bool integer_pk() const noexcept { return integer_pk_; }
  const ObjectOps& ops() const noexcept { return *ops_; }
  const std::string& type_name() const noexcept { return type_name_; }
  // Tables this one's foreign keys refer to (itself excluded).
  const std::vector<std::string>& parents() const noexcept { return parents_; }

  IdentityKey key_of(const void* object) const;
  IdentityKey key_of(std::span<const ValueRef> values) const;
  // Reads all columns of `row` (in columns() order, from `first`) into `object`.
  void read(void* object, const Row& row, int first = 0) const;
  void read_primary_key(void* object, const Row& row) const;
  // Reads every column from the row's column of the same name, wherever it stands; throws
  // UsageError naming a column the row lacks.
  void read_by_name(void* object, const Row& row) const;
  // The column of a member pointer, or -1.
  int find(const std::type_info& pointer_type, const void* member_pointer) const;
  // The column named `name`; throws UsageError when there is none.
  int find(std::string_view name) const;
  sql::Expr column_expr(int column) const;
  std::vector<sql::Expr> column_exprs() const;

  // The session's statements in `dialect`'s SQL, compiled the first time a session on that
  // dialect asks (an application on one backend never builds another's), then read without
  // locking; valid as long as the mapper. Parameters go by position, in the order given here.
  // SELECT of every column by the primary key's columns.
  const std::string& get_sql(const Dialect& dialect) const;
  // DELETE by the primary key's columns [and the version column as loaded].
  const std::string& delete_sql(const Dialect& dialect) const;
  // INSERT of `rows` rows, each giving its columns but the `omitted` ones (bit i: column i),
  // returning the primary key and the omitted columns when `returning`.
  const std::string& insert_sql(const Dialect& dialect, std::uint64_t omitted, int rows,
                                bool returning) const;
  // UPDATE of the `changed` columns (bit i: column i) [and the version column's new value] by
  // the primary key's columns [and the version column as loaded].
  const std::string& update_sql(const Dialect& dialect, std::uint64_t changed) const;
  // The same UPDATE for `rows` objects at once (Dialect::update_from_values), each row's
  // parameters in update_sql's order.
  const std::string& update_rows_sql(const Dialect& dialect, std::uint64_t changed, int rows) const;
  // The key of the last row inserted, then that row's key column (Dialect::last_insert_id_sql):
  // empty where the dialect reads generated keys with RETURNING.
  const std::string& last_key_sql(const Dialect& dialect) const;
  // The columns an INSERT without `omitted` returns, in order.
  std::vector<int> returned_columns(std::uint64_t omitted) const;

 private:
  sql::Expr unqualified(int column) const;
  // The primary key's columns [and the version column] each equal to a parameter.
  sql::Expr key_condition(bool with_version) const;
  std::string build_get(const Dialect& dialect) const;
  std::string build_delete(const Dialect& dialect) const;
  std::string build_insert(const Dialect& dialect, std::uint64_t omitted, int rows,
                           bool returning) const;
  std::string build_update(const Dialect& dialect, std::uint64_t changed) const;
  std::string build_update_rows(const Dialect& dialect, std::uint64_t changed, int rows) const;

  std::size_t id_;
  Table table_;
  sql::Source source_;
  std::vector<MappedColumn> columns_;
  std::vector<int> pk_;
  int version_ = -1;
  std::uint64_t computed_ = 0;
  bool integer_pk_ = false;
  std::unique_ptr<ObjectOps> ops_;
  std::string type_name_;
  std::vector<std::string> parents_;
  std::unique_ptr<SqlCache> sql_;  // by dialect and statement shape
};

// The mapper registered for T by strata::table<T>(); the latest registration wins. Written
// under the registry's lock and read without one from any thread: a mapper, once registered,
// is kept for the life of the program, so a pointer read here stays valid.
template <class T>
struct Registry {
  static inline std::atomic<const Mapper*> mapper{nullptr};
};

[[noreturn]] void throw_unmapped(const char* type_name);

template <class T>
const Mapper& mapper_of() {
  const Mapper* m = Registry<T>::mapper.load(std::memory_order_acquire);
  if (!m) throw_unmapped(typeid(T).name());
  return *m;
}

}  // namespace strata::orm::detail

namespace strata {

// Row::as<T>() for a struct mapped by strata::table<T>().
template <class T>
struct FromRow {
  static T read(const Row& row) {
    T object{};
    orm::detail::mapper_of<T>().read_by_name(&object, row);
    return object;
  }
};

}  // namespace strata
