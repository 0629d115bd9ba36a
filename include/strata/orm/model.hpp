// Models: plain structs mapped to tables over member pointers, and typed column expressions.
//
//   inline const auto items = strata::table<Item>("items",
//       strata::column(&Item::id, "id").primary_key(),
//       strata::column(&Item::title, "title").type(strata::String{200}).index());
//   session.select<Item>().where(strata::col(&Item::title) == "hello");
//
// The compiler rejects a column of another struct in a model, a member type that is no column
// type, and a comparison of a column with a value or column of another kind.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "strata/orm/mapper.hpp"
#include "strata/orm/types.hpp"
#include "strata/schema/metadata.hpp"

namespace strata {

namespace orm::detail {

template <class T, class M>
class MemberAccess final : public ColumnAccess {
 public:
  explicit MemberAccess(M T::*member) : member_(member) {}
  ValueRef bind(const void* o) const override { return Traits<M>::bind(get(o)); }
  void read(void* o, const Row& row, int c) const override { read_member(row, c, get(o)); }
  bool empty(const void* o) const override { return get(o) == M{}; }
  void copy(void* to, const void* from) const override { get(to) = get(from); }
  void increment(void* o, std::int64_t by) const override {
    if constexpr (std::is_integral_v<M> && !std::is_same_v<M, bool>) {
      get(o) = static_cast<M>(get(o) + by);
    }
  }
  bool is(const std::type_info& type, const void* pointer) const override {
    return type == typeid(M T::*) && *static_cast<M T::*const*>(pointer) == member_;
  }

 private:
  M& get(void* o) const { return static_cast<T*>(o)->*member_; }
  const M& get(const void* o) const { return static_cast<const T*>(o)->*member_; }
  M T::*member_;
};

// How a snapshot keeps a member of type M: text as a view of bytes in the session's arena (no
// allocation of its own), everything else as a copy.
template <class M>
struct Saved {
  using type = M;
};
template <>
struct Saved<std::string> {
  using type = std::string_view;
};
template <>
struct Saved<std::optional<std::string>> {
  using type = std::optional<std::string_view>;
};

inline std::string_view save_text(std::string_view text, SnapshotStorage& storage) {
  if (text.empty()) return {};
  auto* bytes = static_cast<char*>(storage.allocate(text.size()));
  std::copy(text.begin(), text.end(), bytes);
  return {bytes, text.size()};
}
template <class M>
typename Saved<M>::type save_value(const M& value, SnapshotStorage& storage) {
  if constexpr (std::is_same_v<M, std::string>) {
    return save_text(value, storage);
  } else if constexpr (std::is_same_v<M, std::optional<std::string>>) {
    if (!value) return std::nullopt;
    return save_text(*value, storage);
  } else {
    return value;
  }
}
template <class M>
bool same_value(const M& value, const typename Saved<M>::type& saved) {
  if constexpr (std::is_same_v<M, std::optional<std::string>>) {
    return value.has_value() == saved.has_value() && (!value || *value == *saved);
  } else {
    return value == saved;
  }
}
template <class M>
ValueRef bind_saved(const typename Saved<M>::type& saved) {
  if constexpr (std::is_same_v<M, std::optional<std::string>>) {
    return saved ? ValueRef(*saved) : ValueRef();
  } else if constexpr (std::is_same_v<M, std::string>) {
    return ValueRef(saved);
  } else {
    return Traits<M>::bind(saved);
  }
}
template <class M>
void restore_value(M& value, const typename Saved<M>::type& saved) {
  if constexpr (std::is_same_v<M, std::optional<std::string>>) {
    value = saved ? std::optional<std::string>(*saved) : std::nullopt;
  } else {
    value = M(saved);
  }
}

// Creates T's entries and keeps their snapshots; `Members` is the tuple of T's mapped member
// pointers, in column order.
template <class T, class Members>
class ObjectOpsOf;
template <class T, class... Ms>
class ObjectOpsOf<T, std::tuple<Ms T::*...>> final : public ObjectOps {
  using Snapshot = std::tuple<typename Saved<Ms>::type...>;
  using EntryT = EntryOf<T, Snapshot>;
  using Columns = std::index_sequence_for<Ms...>;
  static_assert(
      alignof(EntryT) <= alignof(std::max_align_t),
      "strata::table<T>: an over-aligned T (alignas beyond max_align_t) cannot be mapped");
  static_assert(sizeof...(Ms) <= 64, "strata::table<T>: at most 64 columns");

 public:
  explicit ObjectOpsOf(std::tuple<Ms T::*...> members) : members_(members) {}

  std::size_t entry_size() const noexcept override { return sizeof(EntryT); }
  std::size_t entry_align() const noexcept override { return alignof(EntryT); }
  Entry* make(void* storage, void* from) const override {
    if (!from) return new (storage) EntryT();
    return new (storage) EntryT(std::move(*static_cast<T*>(from)));
  }
  void read(Entry& e, const Row& row) const override {
    read(static_cast<EntryT&>(e), row, Columns{});
  }
  void save(Entry& e, std::uint64_t columns, SnapshotStorage& storage) const override {
    save(static_cast<EntryT&>(e), columns, storage, Columns{});
  }
  std::uint64_t changed(const Entry& e) const override {
    return changed(static_cast<const EntryT&>(e), Columns{});
  }
  ValueRef saved(const Entry& e, int column) const override {
    return saved(static_cast<const EntryT&>(e), column, Columns{});
  }
  void restore(Entry& e, int column) const override {
    restore(static_cast<EntryT&>(e), column, Columns{});
  }
  const std::type_info& type() const noexcept override { return typeid(T); }

 private:
  template <std::size_t... I>
  void read(EntryT& e, const Row& row, std::index_sequence<I...>) const {
    (read_member(row, static_cast<int>(I), e.obj.*std::get<I>(members_)), ...);
  }
  template <std::size_t... I>
  void save(EntryT& e, std::uint64_t columns, SnapshotStorage& storage,
            std::index_sequence<I...>) const {
    ((columns >> I & 1
          ? void(std::get<I>(e.snap) = save_value(e.obj.*std::get<I>(members_), storage))
          : void()),
     ...);
  }
  template <std::size_t... I>
  std::uint64_t changed(const EntryT& e, std::index_sequence<I...>) const {
    return (
        (std::uint64_t{!same_value<Ms>(e.obj.*std::get<I>(members_), std::get<I>(e.snap))} << I) |
        ... | 0);
  }
  template <std::size_t... I>
  ValueRef saved(const EntryT& e, int column, std::index_sequence<I...>) const {
    ValueRef out;
    ((column == static_cast<int>(I) ? void(out = bind_saved<Ms>(std::get<I>(e.snap))) : void()),
     ...);
    return out;
  }
  template <std::size_t... I>
  void restore(EntryT& e, int column, std::index_sequence<I...>) const {
    ((column == static_cast<int>(I)
          ? restore_value<Ms>(e.obj.*std::get<I>(members_), std::get<I>(e.snap))
          : void()),
     ...);
  }

  std::tuple<Ms T::*...> members_;
};

// Table-level declarations passed to strata::table() after the columns.
struct TableIndex {
  std::vector<std::string> columns;
  bool unique = false;
  std::string name;
};
struct TableUnique {
  std::vector<std::string> columns;
  std::string name;
};
struct TableCheck {
  std::string condition;
  std::string name;
};

// Makes the mapper, keeps it for the life of the program and publishes it in `slot`.
std::shared_ptr<const Mapper> register_mapper(std::atomic<const Mapper*>& slot, Table table,
                                              std::vector<MappedColumn> columns,
                                              std::unique_ptr<ObjectOps> ops);

}  // namespace orm::detail

// A column of struct T held in a member of type M. Built by strata::column(); a value type.
template <class T, class M>
class ColumnDef {
 public:
  using Struct = T;
  using Member = M;

  ColumnDef(M T::*member, std::string name)
      : member_(member), column_(std::move(name), orm::detail::Traits<M>::type()) {
    column_.nullable = strata::detail::is_optional_v<M>;
  }

  ColumnDef& primary_key() { return column_.primary_key(), *this; }
  ColumnDef& autoincrement(bool on = true) { return column_.auto_increment(on), *this; }
  // Overrides the SQL type given by M: .type(strata::String{200}), .type(Type::numeric(10, 2)).
  ColumnDef& type(Type t) { return column_.type = std::move(t), *this; }
  ColumnDef& unique() { return column_.unique(), *this; }
  ColumnDef& index() { return column_.index(), *this; }
  // `target` is "table.column".
  ColumnDef& references(std::string_view target, FkAction on_delete = FkAction::no_action,
                        FkAction on_update = FkAction::no_action) {
    return column_.references(target, on_delete, on_update), *this;
  }
  ColumnDef& check(std::string condition) { return column_.check(std::move(condition)), *this; }
  // A server default fills the column when the member holds its empty value (0, "", nullopt)
  // at INSERT; the value is read back into the object with RETURNING.
  ColumnDef& server_default(Value v) { return column_.default_value(std::move(v)), *this; }
  ColumnDef& default_now() { return column_.default_now(), *this; }
  ColumnDef& default_sql(std::string e) { return column_.default_sql(std::move(e)), *this; }
  // An integer version counter for optimistic concurrency: set to 1 on INSERT, raised by one
  // on every UPDATE, and checked by UPDATE and DELETE (StaleDataError when the row changed).
  ColumnDef& version() {
    static_assert(std::is_integral_v<M> && !std::is_same_v<M, bool>,
                  "a version column must be an integer member");
    return version_ = true, *this;
  }

  // A column the database writes (GENERATED ALWAYS AS ... STORED, a trigger): never INSERTed
  // or UPDATEd, read back into the object with RETURNING after its INSERT. Changing the member
  // of a loaded object is a UsageError at flush. Without an expression the DDL stays the
  // migrations' business (create_all makes a plain column, and check compares no expression).
  ColumnDef& computed() { return column_.generated = Generated{}, *this; }
  // The same for GENERATED ALWAYS AS (expression) STORED (or VIRTUAL, on SQLite), which
  // create_all then makes and autogenerate compares.
  ColumnDef& computed(std::string expression, bool stored = true) {
    return column_.generated_as(std::move(expression), stored), *this;
  }

  const Column& column() const noexcept { return column_; }
  bool is_version() const noexcept { return version_; }
  bool is_computed() const noexcept { return column_.generated.has_value(); }
  M T::*member() const noexcept { return member_; }

 private:
  M T::*member_;
  Column column_;
  bool version_ = false;
};

template <class T, class M>
requires orm::detail::Mappable<M> ColumnDef<T, M> column(M T::*member, std::string name) {
  return ColumnDef<T, M>(member, std::move(name));
}

// Table-level constraints for strata::table(), after the columns.
inline orm::detail::TableIndex index(std::vector<std::string> columns, std::string name = "") {
  return {std::move(columns), false, std::move(name)};
}
inline orm::detail::TableIndex unique_index(std::vector<std::string> columns,
                                            std::string name = "") {
  return {std::move(columns), true, std::move(name)};
}
inline orm::detail::TableUnique unique(std::vector<std::string> columns, std::string name = "") {
  return {std::move(columns), std::move(name)};
}
// `name` is the check's own part of its conventional name ck_<table>_<name>.
inline orm::detail::TableCheck check(std::string condition, std::string name) {
  return {std::move(condition), std::move(name)};
}

namespace orm::detail {

template <class T, class X>
struct IsColumnOf : std::false_type {};
template <class T, class M>
struct IsColumnOf<T, ColumnDef<T, M>> : std::true_type {};
template <class X>
struct IsColumnDef : std::false_type {};
template <class S, class M>
struct IsColumnDef<ColumnDef<S, M>> : std::true_type {};

template <class T, class X>
constexpr bool valid_table_part() {
  using D = std::remove_cvref_t<X>;
  if constexpr (IsColumnDef<D>::value) {
    return IsColumnOf<T, D>::value;
  } else {
    return std::is_same_v<D, TableIndex> || std::is_same_v<D, TableUnique> ||
           std::is_same_v<D, TableCheck> || std::is_same_v<D, ForeignKey>;
  }
}

template <class T, class M>
std::tuple<M T::*> member_of(const ColumnDef<T, M>& def) {
  return {def.member()};
}
inline std::tuple<> member_of(const auto&) {
  return {};
}

template <class T, class M>
void add_part(std::vector<Column>& columns, std::vector<MappedColumn>& mapped,
              const ColumnDef<T, M>& def) {
  columns.push_back(def.column());
  const Column& c = def.column();
  MappedColumn m;
  m.name = c.name;
  m.access = std::make_shared<MemberAccess<T, M>>(def.member());
  m.primary_key = c.pending.primary_key;
  m.generated = c.server_default.has_value();  // register_mapper adds autoincrement
  m.version = def.is_version();
  m.computed = def.is_computed();
  mapped.push_back(std::move(m));
}
inline void add_part(std::vector<Column>&, std::vector<MappedColumn>&, const auto&) {}
inline void add_table_part(Table& t, const TableIndex& i) {
  t.add_index(i.columns, i.unique, "", i.name);
}
inline void add_table_part(Table& t, const TableUnique& u) {
  t.add_unique(u.columns, u.name);
}
inline void add_table_part(Table& t, const TableCheck& c) {
  t.add_check(c.condition, c.name);
}
inline void add_table_part(Table& t, const ForeignKey& fk) {
  t.add_foreign_key(fk);
}
template <class S, class M>
void add_table_part(Table&, const ColumnDef<S, M>&) {}

}  // namespace orm::detail

// The mapping of struct T to a table. Copies share one immutable mapper; safe to read from any
// thread. Declaring it registers T with the ORM (the latest declaration for T wins), so declare
// models once, at namespace scope, before sessions use them.
template <class T>
class Model {
 public:
  explicit Model(std::shared_ptr<const orm::detail::Mapper> mapper) : mapper_(std::move(mapper)) {}

  // The table, for MetaData::add (and so for autogenerate and create_all).
  const Table& table() const noexcept { return mapper_->table(); }
  const std::string& name() const noexcept { return mapper_->table().name; }
  const Table& add_to(MetaData& metadata) const { return metadata.add(table()); }

 private:
  std::shared_ptr<const orm::detail::Mapper> mapper_;
};

// Maps struct T to the table `name`: the columns (strata::column of T's members), then any
// table-level strata::index, unique_index, unique, check or ForeignKey.
template <class T, class... Parts>
Model<T> table(std::string name, const Parts&... parts) {
  static_assert((orm::detail::valid_table_part<T, Parts>() && ...),
                "strata::table<T>: every column must be a strata::column of a member of T, "
                "and the rest index(), unique_index(), unique(), check() or a ForeignKey");
  static_assert(std::is_default_constructible_v<T> && std::is_copy_assignable_v<T>,
                "strata::table<T>: T must be default-constructible and copyable");
  std::vector<Column> columns;
  std::vector<orm::detail::MappedColumn> mapped;
  (orm::detail::add_part(columns, mapped, parts), ...);
  Table t(std::move(name), std::move(columns));
  (orm::detail::add_table_part(t, parts), ...);
  auto members = std::tuple_cat(orm::detail::member_of(parts)...);
  return Model<T>(orm::detail::register_mapper(
      orm::detail::Registry<T>::mapper, std::move(t), std::move(mapped),
      std::make_unique<orm::detail::ObjectOpsOf<T, decltype(members)>>(members)));
}

}  // namespace strata
