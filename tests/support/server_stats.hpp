// Reads a PostgreSQL server's own statistics of a table, to count the reads a primary or a standby
// served. A backend hands its counts over up to a second after its transaction ends (at once
// when it exits), so a count is read once it has settled, or waited for.
#pragma once

#include <chrono>
#include <cstdint>
#include <strata/strata.hpp>
#include <string>
#include <thread>

namespace strata::test {

// Sequential and index scans of `table` that the server behind `engine` has counted.
inline std::int64_t table_scans(const Engine& engine, const std::string& table) {
  return engine.connect()
      .execute(
          "SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
          "WHERE relid = ?::regclass",
          table)
      .scalar<std::int64_t>();
}

// table_scans() once it has not changed for 1.5 s (waiting up to 15 s): what earlier work (a
// CREATE TABLE counts the scan that builds its primary key) added is in.
inline std::int64_t settled_table_scans(const Engine& engine, const std::string& table) {
  using Clock = std::chrono::steady_clock;
  auto last = table_scans(engine, table);
  for (auto same_since = Clock::now(), end = same_since + std::chrono::seconds(15);
       Clock::now() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto now = table_scans(engine, table);
    if (now != last) {
      last = now;
      same_since = Clock::now();
    } else if (Clock::now() - same_since > std::chrono::milliseconds(1500)) {
      break;
    }
  }
  return last;
}

// Whether table_scans() reaches `expected` within 15 s.
inline bool table_scans_reach(const Engine& engine, const std::string& table,
                              std::int64_t expected) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (table_scans(engine, table) < expected) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace strata::test
