#include "strata/orm/mapper.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "sql_cache.hpp"
#include "strata/core/error.hpp"
#include "strata/core/mutex.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/orm/expr.hpp"
#include "strata/orm/model.hpp"
#include "strata/orm/session.hpp"
#include "strata/sql/statement.hpp"

namespace strata::orm::detail {
namespace {

std::atomic<std::size_t> next_mapper_id{0};

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> out(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// The statements a mapper caches, as SqlCache::Key::form's kind.
enum class Form : std::uint64_t { get, remove, insert, update, update_rows, last_key };

// The key of a statement of `form` for `dialect`; `rows` and `returning` are an INSERT's.
SqlCache::Key sql_key(const Dialect& dialect, Form form, std::uint64_t columns = 0, int rows = 0,
                      bool returning = false) {
  return {columns, dialect.index() | static_cast<std::uint64_t>(form) << 8 |
                       std::uint64_t{returning} << 12 | static_cast<std::uint64_t>(rows) << 16};
}

// `column = ?` for each column in `mask` (bit i: column i), in column order, each parameter a
// bindparam named after its column.
std::vector<sql::Assignment> parameters(const std::vector<MappedColumn>& columns,
                                        std::uint64_t mask) {
  std::vector<sql::Assignment> out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (mask >> i & 1) out.push_back({columns[i].name, sql::bindparam(columns[i].name)});
  }
  return out;
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
struct Registered {
  strata::detail::Mutex mutex;
  std::vector<std::shared_ptr<const Mapper>> mappers STRATA_GUARDED_BY(mutex);
};
Registered& registered() {
  static Registered all;
  return all;
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
    throw UsageError(
        fmt::format("a member of {} is not a column of the model of table {}; "
                    "add a strata::column for it",
                    mapper.type_name(), mapper.table().name));
  }
  return column;
}

std::shared_ptr<const Mapper> register_mapper(std::atomic<const Mapper*>& slot, Table table,
                                              std::vector<MappedColumn> columns,
                                              std::unique_ptr<ObjectOps> ops) {
  auto mapper =
      std::make_shared<const Mapper>(std::move(table), std::move(columns), std::move(ops));
  Registered& all = registered();
  strata::detail::MutexLock lock(all.mutex);
  all.mappers.push_back(mapper);
  // Release: a thread that reads the pointer sees the mapper built.
  slot.store(mapper.get(), std::memory_order_release);
  return mapper;
}

Mapper::Mapper(Table table, std::vector<MappedColumn> columns, std::unique_ptr<ObjectOps> ops)
    : id_(next_mapper_id++),
      table_(std::move(table)),
      source_(table_),
      columns_(std::move(columns)),
      ops_(std::move(ops)),
      type_name_(demangle(ops_->type().name())),
      sql_(std::make_unique<SqlCache>()) {
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
    c.primary_key = std::find(pk_.begin(), pk_.end(), static_cast<int>(i)) != pk_.end();
    c.generated = c.generated || column.autoincrement;
    if (c.version) version_ = static_cast<int>(i);
    if (!c.computed) continue;
    if (c.primary_key || c.version) {
      throw ConfigError(
          fmt::format("column {} of table {} is computed() and {}: the session "
                      "needs to write its value; drop one of the two",
                      c.name, table_.name, c.primary_key ? "a primary key" : "the version column"));
    }
    computed_ |= std::uint64_t{1} << i;
  }
  integer_pk_ = pk_.size() == 1 && table_.columns[pk_[0]].type.is_integer();
  for (const auto& fk : table_.foreign_keys) {
    if (fk.referred_table != table_.name &&
        std::find(parents_.begin(), parents_.end(), fk.referred_table) == parents_.end()) {
      parents_.push_back(fk.referred_table);
    }
  }
}

Mapper::~Mapper() = default;

IdentityKey Mapper::key_of(const void* object) const {
  if (integer_pk_) return {columns_[pk_[0]].access->bind(object).as_int(), {}};
  IdentityKey key;
  for (int c : pk_) append_key(key.s, columns_[c].access->bind(object));
  return key;
}

IdentityKey Mapper::key_of(std::span<const ValueRef> values) const {
  if (values.size() != pk_.size()) {
    throw UsageError(fmt::format("the primary key of table {} has {} columns, {} values given",
                                 table_.name, pk_.size(), values.size()));
  }
  if (integer_pk_) {
    if (values[0].kind() != ValueKind::integer) {
      throw UsageError(fmt::format("the primary key of table {} is an integer, {} given",
                                   table_.name, to_string(values[0].kind())));
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

void Mapper::read_by_name(void* object, const Row& row) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const std::string& name = columns_[i].name;
    // The row's columns usually stand in the mapper's order (`SELECT *`, select<T>()).
    int at = static_cast<int>(i);
    if (at >= row.size() || row.name(at) != name) at = row.index(name);
    columns_[i].access->read(object, row, at);
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
  throw UsageError(fmt::format("table {} has no column {}", table_.name, name));
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

std::vector<int> Mapper::returned_columns(std::uint64_t omitted) const {
  std::vector<int> out = pk_;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if ((omitted >> i & 1) && !columns_[i].primary_key) out.push_back(static_cast<int>(i));
  }
  return out;
}

// The statements ----------------------------------------------------------------------------
// Built with the sql layer, columns unqualified (one table), each parameter a bindparam named
// after its column; the session binds them by position.

const std::string& Mapper::get_sql(const Dialect& dialect) const {
  return sql_->get(sql_key(dialect, Form::get), [&] { return build_get(dialect); });
}

const std::string& Mapper::delete_sql(const Dialect& dialect) const {
  return sql_->get(sql_key(dialect, Form::remove), [&] { return build_delete(dialect); });
}

const std::string& Mapper::insert_sql(const Dialect& dialect, std::uint64_t omitted, int rows,
                                      bool returning) const {
  return sql_->get(sql_key(dialect, Form::insert, omitted, rows, returning),
                   [&] { return build_insert(dialect, omitted, rows, returning); });
}

const std::string& Mapper::update_sql(const Dialect& dialect, std::uint64_t changed) const {
  return sql_->get(sql_key(dialect, Form::update, changed),
                   [&] { return build_update(dialect, changed); });
}

const std::string& Mapper::update_rows_sql(const Dialect& dialect, std::uint64_t changed,
                                           int rows) const {
  return sql_->get(sql_key(dialect, Form::update_rows, changed, rows),
                   [&] { return build_update_rows(dialect, changed, rows); });
}

const std::string& Mapper::last_key_sql(const Dialect& dialect) const {
  return sql_->get(sql_key(dialect, Form::last_key), [&] {
    return dialect.last_insert_id_sql(dialect.quote(table_.name),
                                      dialect.quote(columns_[pk_[0]].name));
  });
}

sql::Expr Mapper::unqualified(int column) const {
  return source_.unqualified(columns_[column].name);
}

sql::Expr Mapper::key_condition(bool with_version) const {
  std::vector<sql::Expr> terms;
  for (int c : pk_) terms.push_back(unqualified(c) == sql::bindparam(columns_[c].name));
  if (with_version) {
    terms.push_back(unqualified(version_) == sql::bindparam(columns_[version_].name));
  }
  return sql::and_(std::move(terms));
}

std::string Mapper::build_get(const Dialect& dialect) const {
  std::vector<sql::Expr> all;
  for (std::size_t i = 0; i < columns_.size(); ++i) all.push_back(unqualified(static_cast<int>(i)));
  auto select = sql::select(std::move(all)).from(source_).where(key_condition(false));
  return sql::compile(select, dialect).sql;
}

std::string Mapper::build_delete(const Dialect& dialect) const {
  return sql::compile(sql::delete_(table_).where(key_condition(version_ >= 0)), dialect).sql;
}

std::string Mapper::build_insert(const Dialect& dialect, std::uint64_t omitted, int rows,
                                 bool returning) const {
  auto row = parameters(columns_, ~omitted);
  auto insert = sql::insert(table_);
  // No column left to give: one row of defaults (INSERT ... DEFAULT VALUES).
  for (int r = 0; r < rows && !row.empty(); ++r) insert.values(row);
  if (returning) {
    std::vector<sql::Expr> list;
    for (int c : returned_columns(omitted)) list.push_back(unqualified(c));
    insert.returning(std::move(list));
  }
  return sql::compile(insert, dialect).sql;
}

std::string Mapper::build_update(const Dialect& dialect, std::uint64_t changed) const {
  auto set = parameters(columns_, changed);
  if (version_ >= 0) {
    set.push_back({columns_[version_].name, sql::bindparam(columns_[version_].name)});
  }
  auto update = sql::update(table_).set(std::move(set)).where(key_condition(version_ >= 0));
  return sql::compile(update, dialect).sql;
}

std::string Mapper::build_update_rows(const Dialect& dialect, std::uint64_t changed,
                                      int rows) const {
  std::vector<std::string> set;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (changed >> i & 1) set.push_back(columns_[i].name);
  }
  std::vector<std::string> match;
  for (int c : pk_) match.push_back(columns_[c].name);
  if (version_ >= 0) {
    set.push_back(columns_[version_].name);
    match.push_back(columns_[version_].name);
  }
  return sql::update_from_values_sql(table_, set, match, rows, dialect);
}

}  // namespace strata::orm::detail
