// The rows of one execution. A Result reads straight from the driver's cursor: rows are never
// copied, and a Row is a view that is valid until the Result moves to the next row.
#pragma once

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "strata/core/value.hpp"
#include "strata/driver/driver.hpp"

namespace strata {

namespace detail {
struct CachedStatement;
struct PooledConnection;
[[noreturn]] void throw_null_column(const driver::Statement& stmt, int column);
[[noreturn]] void throw_no_row(const driver::Statement& stmt);
int column_index(const driver::Statement& stmt, std::string_view name);
Value read_value(const driver::Statement& stmt, int column);

template <class T>
struct Reader;
// Whether a T read from a row points into it, and so lives no longer than the Result.
template <class T>
inline constexpr bool views_row_v =
    std::is_same_v<T, std::string_view> || std::is_same_v<T, std::optional<std::string_view>>;
[[noreturn]] void throw_out_of_range(const driver::Statement& stmt, int column, std::int64_t value,
                                     std::string_view type);
// The types whose driver read of a NULL gives the type's empty value (see null_reads_empty).
template <class T>
constexpr bool reads_empty_for_null = std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                                      std::is_same_v<T, std::string_view>;

template <class T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) struct Reader<T> {
  static T read(const driver::Statement& s, int c) {
    std::int64_t v = s.get_int(c);
    if constexpr (sizeof(T) < sizeof(std::int64_t) || std::is_unsigned_v<T>) {
      if (!std::in_range<T>(v)) {
        throw_out_of_range(s, c, v, std::is_unsigned_v<T> ? "unsigned integer" : "integer");
      }
    }
    return static_cast<T>(v);
  }
};
template <>
struct Reader<bool> {
  static bool read(const driver::Statement& s, int c) { return s.get_bool(c); }
};
template <class T>
requires std::is_floating_point_v<T>
struct Reader<T> {
  static T read(const driver::Statement& s, int c) { return static_cast<T>(s.get_double(c)); }
};
template <>
struct Reader<std::string> {
  static std::string read(const driver::Statement& s, int c) { return std::string(s.get_text(c)); }
};
template <>
struct Reader<std::string_view> {
  static std::string_view read(const driver::Statement& s, int c) { return s.get_text(c); }
};
template <>
struct Reader<Blob> {
  static Blob read(const driver::Statement& s, int c) { return s.get_blob(c); }
};
// Dates, times and uuids travel as text on both backends.
template <>
struct Reader<Date> {
  static Date read(const driver::Statement& s, int c) { return parse_date(s.get_text(c)); }
};
template <>
struct Reader<TimeOfDay> {
  static TimeOfDay read(const driver::Statement& s, int c) { return parse_time(s.get_text(c)); }
};
template <>
struct Reader<DateTime> {
  static DateTime read(const driver::Statement& s, int c) { return parse_datetime(s.get_text(c)); }
};
template <>
struct Reader<Timestamp> {
  static Timestamp read(const driver::Statement& s, int c) {
    return parse_timestamp(s.get_text(c));
  }
};
template <>
struct Reader<Uuid> {
  static Uuid read(const driver::Statement& s, int c) { return Uuid::parse(s.get_text(c)); }
};
template <>
struct Reader<Json> {
  static Json read(const driver::Statement& s, int c) { return Json{std::string(s.get_text(c))}; }
};
}  // namespace detail

// How Row::as<T>() reads a T; defined by the ORM for mapped structs, and open to
// specialization for types of one's own.
template <class T>
struct FromRow;

// One row of a Result: a view, valid until the Result advances. Cheap to copy.
class Row {
 public:
  Row() = default;
  explicit Row(const driver::Statement& stmt) noexcept : stmt_(&stmt) {}

  int size() const noexcept { return stmt_->column_count(); }
  bool is_null(int column) const { return stmt_->is_null(column); }
  bool is_null(std::string_view name) const { return is_null(index(name)); }

  // Typed access: integers, bool, float, double, std::string, std::string_view (valid until the
  // cursor moves), Blob, Date, TimeOfDay, DateTime, Timestamp, Uuid, Json, Value, and
  // std::optional of those for a column that may be NULL.
  // Reading NULL into a type that cannot hold it throws UsageError.
  template <class T>
  T get(int column) const {
    if constexpr (std::is_same_v<T, Value>) {
      return detail::read_value(*stmt_, column);
    } else if constexpr (strata::detail::is_optional_v<T>) {
      if (stmt_->is_null(column)) return std::nullopt;
      return get<typename T::value_type>(column);
    } else if constexpr (detail::reads_empty_for_null<T>) {
      if (!stmt_->null_reads_empty()) return checked_get<T>(column);
      T value = detail::Reader<T>::read(*stmt_, column);
      if (value == T{} && stmt_->is_null(column)) detail::throw_null_column(*stmt_, column);
      return value;
    } else {
      return checked_get<T>(column);
    }
  }
  template <class T>
  T get(std::string_view name) const {
    return get<T>(index(name));
  }
  // Throws UsageError naming the column and the ones there are.
  int index(std::string_view name) const { return detail::column_index(*stmt_, name); }
  // The name of column `column` as the statement gives it.
  std::string_view name(int column) const { return stmt_->column_name(column); }

  // The row read into a T by FromRow<T>: for a struct mapped by strata::table<T>() (include
  // strata/orm/orm.hpp), its columns matched by name, so `SELECT *` in any order works.
  template <class T>
  T as() const {
    return FromRow<T>::read(*this);
  }

 private:
  template <class T>
  T checked_get(int column) const {
    if (stmt_->is_null(column)) detail::throw_null_column(*stmt_, column);
    return detail::Reader<T>::read(*stmt_, column);
  }

  const driver::Statement* stmt_ = nullptr;
};

// The outcome of Connection::execute. Move-only; used by one thread at a time. It keeps its
// pooled connection out of the pool until it is destroyed. While a Result is open, its statement is
// not reused: executing the same SQL again meanwhile prepares a second statement.
class Result {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Row;
    using difference_type = std::ptrdiff_t;
    using pointer = const Row*;
    using reference = const Row&;

    iterator() = default;
    explicit iterator(Result* result) : result_(result), row_(*result->stmt_) {
      if (!result->stmt_->has_row()) result_ = nullptr;
    }
    const Row& operator*() const noexcept { return row_; }
    const Row* operator->() const noexcept { return &row_; }
    iterator& operator++() {
      if (!result_->stmt_->advance()) result_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(const iterator& other) const noexcept { return result_ == other.result_; }

   private:
    Result* result_ = nullptr;
    Row row_;
  };

  // Inline: every statement a loop runs makes one, and a call of its own costs the loop an
  // instruction cache line beside the database's code.
  Result(std::shared_ptr<detail::PooledConnection> conn, driver::Statement& stmt,
         detail::CachedStatement* entry, std::unique_ptr<driver::Statement> owned) noexcept
      : conn_(std::move(conn)), stmt_(&stmt), entry_(entry), owned_(std::move(owned)) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result();

  // Rows inserted, updated or deleted. With RETURNING on SQLite, known once every row is read.
  std::int64_t rows_affected() const noexcept { return stmt_->rows_affected(); }
  // How many rows the result holds, where the backend knows it before they are read:
  // PostgreSQL, whose driver receives each result whole (strata does not use its single-row
  // mode), gives it for every result (0 for a statement without rows). SQLite produces rows
  // as the cursor moves and knows their number only at the end: nullopt.
  std::optional<std::int64_t> row_count() const noexcept { return stmt_->row_count(); }
  int column_count() const noexcept { return stmt_->column_count(); }
  std::string_view column_name(int column) const { return stmt_->column_name(column); }

  // True when the cursor stands on no row: no rows at all, or all read.
  bool empty() const noexcept { return !stmt_->has_row(); }
  // The current row; throws UsageError when there is none. A Row reads from this Result, so a
  // temporary Result has none to give: `conn.execute(...).row()` does not compile (name the
  // Result, or take one value with scalar()).
  Row row() const& {
    if (!stmt_->has_row()) detail::throw_no_row(*stmt_);
    return Row(*stmt_);
  }
  Row row() const&& = delete;
  // Moves to the next row; false at the end.
  bool next() { return stmt_->advance(); }
  // The first column of the current row. A value that views the row (std::string_view) is
  // only read from a Result that outlives it: on a temporary that does not compile.
  template <class T>
  T scalar() const& {
    return row().get<T>(0);
  }
  template <class T>
  T scalar() const&& {
    static_assert(!detail::views_row_v<T>,
                  "scalar<std::string_view>() on a temporary Result would view a freed row: "
                  "keep the Result in a variable, or read a std::string");
    return row().get<T>(0);
  }
  // The current row, if any, as an optional view. Like every Row, it reads from this Result:
  // keep the Result alive while using it (`auto r = conn.execute(...); auto row = r.first();`);
  // on a temporary it does not compile.
  std::optional<Row> first() const& {
    return stmt_->has_row() ? std::optional<Row>(Row(*stmt_)) : std::nullopt;
  }
  std::optional<Row> first() const&& = delete;

  // Iterates from the current row to the end.
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  void release() noexcept;

  std::shared_ptr<detail::PooledConnection> conn_;  // released last
  driver::Statement* stmt_;
  detail::CachedStatement* entry_;
  std::unique_ptr<driver::Statement> owned_;
};

}  // namespace strata
