#include "pooled_connection.hpp"

namespace strata::detail {

CachedStatement* StatementCache::find(std::string_view sql) {
  // A loop runs one statement again and again: comparing it with the most recently used one
  // costs a memcmp, where the index would hash the whole text on every call.
  if (!entries_.empty() && entries_.front().key == sql) return &entries_.front();
  auto it = index_.find(sql);
  if (it == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);
  return &*it->second;
}

CachedStatement& StatementCache::insert(CachedStatement entry, driver::Connection& conn) {
  entries_.push_front(std::move(entry));
  index_.emplace(entries_.front().key, entries_.begin());
  for (auto it = std::prev(entries_.end()); index_.size() > capacity_ && it != entries_.begin();) {
    auto victim = it--;
    if (victim->busy) continue;
    index_.erase(victim->key);
    conn.drop(std::move(victim->stmt));
    entries_.erase(victim);
  }
  return entries_.front();
}

void StatementCache::erase(std::string_view sql, driver::Connection& conn) {
  auto it = index_.find(sql);
  if (it == index_.end()) return;
  auto entry = it->second;
  index_.erase(it);
  conn.drop(std::move(entry->stmt));
  entries_.erase(entry);
}

void StatementCache::clear() noexcept {
  index_.clear();
  entries_.clear();
}

}  // namespace strata::detail
