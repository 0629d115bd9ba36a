// A driver connection as the pool keeps it: with its statement cache and its age.
#pragma once

#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/core/string_hash.hpp"
#include "strata/driver/driver.hpp"

namespace strata::detail {

// A prepared statement with what the engine learned while rendering its placeholders.
struct CachedStatement {
  std::string key;  // the SQL as the user wrote it
  std::unique_ptr<driver::Statement> stmt;
  std::vector<std::string> names;  // named parameters by number; empty when positional
  int param_count = 0;             // -1: counted by the driver or server (native SQL)
  bool busy = false;               // a Result is reading from it
  bool native = false;             // SQL in the backend's own placeholders, not rendered
};

// Prepared statements of one connection, least recently used evicted first. Behind a
// transaction pooler (Url::pooled) the driver names none, so this is a parse cache: what it
// saves is strata's side of the work (rendered placeholders, parameter names and count, the
// driver's binding buffers). Not thread-safe: it belongs to the connection, like the
// PooledConnection that holds it.
class StatementCache {
 public:
  explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}

  std::size_t capacity() const noexcept { return capacity_; }
  // The cached statement for `sql`, made most recently used; nullptr when absent.
  CachedStatement* find(std::string_view sql);
  // Adds an entry, dropping the least recently used idle ones beyond capacity.
  CachedStatement& insert(CachedStatement entry, driver::Connection& conn);
  void erase(std::string_view sql, driver::Connection& conn);
  void clear() noexcept;

 private:
  std::size_t capacity_;
  std::list<CachedStatement> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<CachedStatement>::iterator, StringHash,
                     std::equal_to<>>
      index_;
};

// A driver connection with what the pool and the engine keep about it. Owned by the pool while
// idle and by a Connection (and its Results) while lent; one thread at a time.
struct PooledConnection {
  PooledConnection(std::unique_ptr<driver::Connection> c, std::size_t cache_size)
      : conn(std::move(c)), cache(cache_size), opened(std::chrono::steady_clock::now()) {}
  ~PooledConnection() { cache.clear(); }

  std::unique_ptr<driver::Connection> conn;
  StatementCache cache;
  std::chrono::steady_clock::time_point opened;
  int depth = 0;  // open Transaction objects: 1 for the transaction, more for savepoints
  std::uint64_t generation = 0;  // the pool's generation when opened
};

}  // namespace strata::detail
