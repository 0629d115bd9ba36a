#include "strata/orm/mapper.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/orm/expr.hpp"
#include "strata/orm/model.hpp"
#include "strata/orm/session.hpp"

namespace strata::orm::detail {
namespace {

std::atomic<std::size_t> next_mapper_id{0};

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

const Dialect& dialect(Backend backend) {
  return Dialect::of(backend);
}

int slot(Backend backend) {
  return backend == Backend::sqlite ? 0 : 1;
}

// Keys are bytes: the kind, then the value, so that 1 and "1" differ.
void append_key(std::string& out, ValueRef v) {
  out.push_back(static_cast<char>(v.kind()));
  switch (v.kind()) {
    case ValueKind::text:
    case ValueKind::json:
      out.append(v.as_text());
      break;
    case ValueKind::blob:
    case ValueKind::uuid:
      out.append(reinterpret_cast<const char*>(v.as_blob().data()), v.as_blob().size());
      break;
    case ValueKind::real: {
      double d = v.as_double();
      out.append(reinterpret_cast<const char*>(&d), sizeof d);
      break;
    }
    default: {
      std::int64_t i = v.as_count();
      out.append(reinterpret_cast<const char*>(&i), sizeof i);
    }
  }
  out.push_back('\x1f');
}

// Every mapper ever registered, so that sessions may keep plain pointers to them.
std::mutex& mappers_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::shared_ptr<const Mapper>>& all_mappers() {
  static std::vector<std::shared_ptr<const Mapper>> mappers;
  return mappers;
}

}  // namespace

IdentityKey value_key(ValueRef value) {
  if (value.kind() == ValueKind::integer) return {value.as_int(), {}};
  IdentityKey key;
  append_key(key.s, value);
  return key;
}

[[noreturn]] void throw_unmapped(const char* type_name) {
  throw ConfigError(
      fmt::format("{} is not mapped to a table: declare its model with strata::table<{}>(\"name\", "
                  "strata::column(...), ...) before using it in a session",
                  demangle(type_name), demangle(type_name)));
}

[[noreturn]] void throw_unknown_enum_text(std::string_view text) {
  throw DataError(fmt::format("'{}' names no value of the enum in strata::EnumText; add it there "
                              "or fix the row",
                              text),
                  {});
}

[[noreturn]] void throw_unnamed_enum_value(std::int64_t value) {
  throw DataError(fmt::format("the enum value {} has no name in strata::EnumText; add one", value),
                  {});
}

int resolve_member(const Mapper& mapper, const std::type_info& pointer_type, const void* pointer) {
  int column = mapper.find(pointer_type, pointer);
  if (column < 0) {
    throw ProgrammingError(fmt::format("a member of {} is not a column of the model of table {}; "
                                       "add a strata::column for it",
                                       mapper.type_name(), mapper.table().name),
                           {});
  }
  return column;
}

void register_mapper(std::shared_ptr<const Mapper>& slot, Table table,
                     std::vector<MappedColumn> columns, std::unique_ptr<ObjectOps> ops) {
  auto mapper =
      std::make_shared<const Mapper>(std::move(table), std::move(columns), std::move(ops));
  std::lock_guard lock(mappers_mutex());
  all_mappers().push_back(mapper);
  slot = std::move(mapper);
}

Mapper::Mapper(Table table, std::vector<MappedColumn> columns, std::unique_ptr<ObjectOps> ops)
    : id_(next_mapper_id++),
      table_(std::move(table)),
      source_(table_),
      columns_(std::move(columns)),
      ops_(std::move(ops)),
      type_name_(demangle(ops_->type().name())) {
  if (columns_.size() > 64) {
    throw ConfigError(fmt::format("the model of table {} has {} columns; strata maps at most 64",
                                  table_.name, columns_.size()));
  }
  if (!table_.primary_key || table_.primary_key->columns.empty()) {
    throw ConfigError(
        fmt::format("the model of table {} has no primary key; mark a column with "
                    ".primary_key()",
                    table_.name));
  }
  for (const auto& name : table_.primary_key->columns) pk_.push_back(find(name));
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    auto& c = columns_[i];
    const Column& column = table_.columns[i];
    c.quoted = dialect(Backend::sqlite).quote(c.name);
    c.primary_key = std::find(pk_.begin(), pk_.end(), static_cast<int>(i)) != pk_.end();
    c.generated = c.generated || column.autoincrement;
    if (c.version) version_ = static_cast<int>(i);
  }
  integer_pk_ = pk_.size() == 1 && table_.columns[pk_[0]].type.is_integer();
  for (const auto& fk : table_.foreign_keys) {
    if (fk.referred_table != table_.name &&
        std::find(parents_.begin(), parents_.end(), fk.referred_table) == parents_.end()) {
      parents_.push_back(fk.referred_table);
    }
  }
  for (const auto& c : columns_) {
    select_list_ += (select_list_.empty() ? "" : ", ") + c.quoted;
  }
  for (Backend b : {Backend::sqlite, Backend::postgresql}) {
    std::string from = " FROM " + dialect(b).quote(table_.name) + " WHERE ";
    get_sql_[slot(b)] = "SELECT " + select_list_ + from + pk_condition(b, 1, false);
    delete_sql_[slot(b)] = "DELETE" + from + pk_condition(b, 1, version_ >= 0);
  }
}

std::string Mapper::pk_condition(Backend backend, int first, bool with_version) const {
  std::string out;
  for (int c : pk_) {
    if (!out.empty()) out += " AND ";
    out += columns_[c].quoted + " = " + dialect(backend).placeholder(first++);
  }
  if (with_version) {
    out += " AND " + columns_[version_].quoted + " = " + dialect(backend).placeholder(first);
  }
  return out;
}

IdentityKey Mapper::key_of(const void* object) const {
  if (integer_pk_) return {columns_[pk_[0]].access->bind(object).as_int(), {}};
  IdentityKey key;
  for (int c : pk_) append_key(key.s, columns_[c].access->bind(object));
  return key;
}

IdentityKey Mapper::key_of(std::span<const ValueRef> values) const {
  if (values.size() != pk_.size()) {
    throw ProgrammingError(
        fmt::format("the primary key of table {} has {} columns, {} values given", table_.name,
                    pk_.size(), values.size()),
        {});
  }
  if (integer_pk_) {
    if (values[0].kind() != ValueKind::integer) {
      throw ProgrammingError(fmt::format("the primary key of table {} is an integer, {} given",
                                         table_.name, to_string(values[0].kind())),
                             {});
    }
    return {values[0].as_int(), {}};
  }
  IdentityKey key;
  for (const auto& v : values) append_key(key.s, v);
  return key;
}

void Mapper::read(void* object, const Row& row, int first) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    columns_[i].access->read(object, row, first + static_cast<int>(i));
  }
}

void Mapper::read_primary_key(void* object, const Row& row) const {
  for (int c : pk_) columns_[c].access->read(object, row, c);
}

int Mapper::find(const std::type_info& pointer_type, const void* member_pointer) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].access->is(pointer_type, member_pointer)) return static_cast<int>(i);
  }
  return -1;
}

int Mapper::find(std::string_view name) const {
  for (std::size_t i = 0; i < table_.columns.size(); ++i) {
    if (table_.columns[i].name == name) return static_cast<int>(i);
  }
  throw ProgrammingError(fmt::format("table {} has no column {}", table_.name, name), {});
}

sql::Expr Mapper::column_expr(int column) const {
  return source_.c(columns_[column].name);
}

std::vector<sql::Expr> Mapper::column_exprs() const {
  std::vector<sql::Expr> out;
  out.reserve(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) out.push_back(column_expr(static_cast<int>(i)));
  return out;
}

const std::string& Mapper::get_sql(Backend backend) const {
  return get_sql_[slot(backend)];
}

const std::string& Mapper::delete_sql(Backend backend) const {
  return delete_sql_[slot(backend)];
}

std::vector<int> Mapper::returned_columns(std::uint64_t omitted) const {
  std::vector<int> out = pk_;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if ((omitted >> i & 1) && !columns_[i].primary_key) out.push_back(static_cast<int>(i));
  }
  return out;
}

const std::string& Mapper::insert_sql(Backend backend, std::uint64_t omitted, int rows,
                                      bool returning) const {
  std::lock_guard lock(cache_mutex_);
  auto key = std::make_tuple(slot(backend), omitted, rows, returning);
  auto it = insert_cache_.find(key);
  if (it == insert_cache_.end()) {
    it = insert_cache_.emplace(key, build_insert(backend, omitted, rows, returning)).first;
  }
  return it->second;
}

std::string Mapper::build_insert(Backend backend, std::uint64_t omitted, int rows,
                                 bool returning) const {
  const Dialect& d = dialect(backend);
  std::string names;
  int per_row = 0;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (omitted >> i & 1) continue;
    names += (per_row++ ? ", " : "") + columns_[i].quoted;
  }
  std::string out = "INSERT INTO " + d.quote(table_.name);
  if (per_row == 0) {
    out += " DEFAULT VALUES";
  } else {
    out += " (" + names + ") VALUES ";
    int n = 1;
    for (int r = 0; r < rows; ++r) {
      out += r ? ", (" : "(";
      for (int c = 0; c < per_row; ++c) out += (c ? ", " : "") + d.placeholder(n++);
      out += ')';
    }
  }
  if (returning) {
    std::string list;
    for (int c : returned_columns(omitted)) list += (list.empty() ? "" : ", ") + columns_[c].quoted;
    out += " RETURNING " + list;
  }
  return out;
}

const std::string& Mapper::update_sql(Backend backend, std::uint64_t changed) const {
  std::lock_guard lock(cache_mutex_);
  auto key = std::make_pair(slot(backend), changed);
  auto it = update_cache_.find(key);
  if (it == update_cache_.end()) {
    it = update_cache_.emplace(key, build_update(backend, changed)).first;
  }
  return it->second;
}

std::string Mapper::build_update(Backend backend, std::uint64_t changed) const {
  const Dialect& d = dialect(backend);
  std::string set;
  int n = 1;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (!(changed >> i & 1)) continue;
    set += (set.empty() ? "" : ", ") + columns_[i].quoted + " = " + d.placeholder(n++);
  }
  if (version_ >= 0) {
    set += (set.empty() ? "" : ", ") + columns_[version_].quoted + " = " + d.placeholder(n++);
  }
  return "UPDATE " + d.quote(table_.name) + " SET " + set + " WHERE " +
         pk_condition(backend, n, version_ >= 0);
}

}  // namespace strata::orm::detail
