// Statements sent to the database together: Connection::execute_batch runs a Batch, and
// Connection::execute_many one statement over many rows of values. On PostgreSQL the whole
// batch travels in one pipeline and costs one round trip instead of one per statement; on
// SQLite, which has no server to wait for, it saves the per-call work of the engine.
#pragma once

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "strata/core/value.hpp"
#include "strata/engine/result.hpp"

namespace strata {

struct NamedParam;

// Called for each row a step of a batch returned (INSERT ... RETURNING), in order of the
// steps. The Row is valid during the call only.
using BatchRowVisitor = std::function<void(std::size_t step, const Row& row)>;

// Statements to run in order, each with its own values, which the batch copies. SQL is
// written as for Connection::execute (`?` or `:name`), or, with add_native, in the backend's
// own placeholders as the SQL compiler produces it. A value that owns copies of its SQL and
// values; used by one thread at a time.
class Batch {
 public:
  Batch& add(std::string_view sql) { return add(sql, std::vector<Value>{}); }
  template <class... Args>
  requires(sizeof...(Args) > 0 && (std::is_constructible_v<ValueRef, const Args&> &&
                                   ...)) Batch& add(std::string_view sql, const Args&... args) {
    return add(sql, std::vector<Value>{Value(ValueRef(args))...});
  }
  Batch& add(std::string_view sql, std::vector<Value> params);
  Batch& add(std::string_view sql, std::initializer_list<NamedParam> params);
  Batch& add_native(std::string_view sql, std::vector<Value> params);

  std::size_t size() const noexcept { return steps_.size(); }
  bool empty() const noexcept { return steps_.empty(); }
  void clear() noexcept { steps_.clear(); }

  struct Step {
    std::string sql;
    std::vector<Value> values;
    std::vector<std::string> names;  // for `:name` values, parallel to `values`; else empty
    bool native = false;
  };
  const std::vector<Step>& steps() const noexcept { return steps_; }

 private:
  std::vector<Step> steps_;
};

}  // namespace strata
