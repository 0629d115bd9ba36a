// Timing helpers the benchmarks share. Each benchmark compares with a baseline measured in the
// same run, interleaved, and reports medians: the machine is shared and noisy.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace strata::bench {

inline double seconds(const std::function<void()>& work) {
  auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The median seconds of each piece of work over `rounds` interleaved rounds.
inline std::vector<double> interleaved(const std::vector<std::function<void()>>& work, int rounds) {
  std::vector<std::vector<double>> times(work.size());
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t i = 0; i < work.size(); ++i) times[i].push_back(seconds(work[i]));
  }
  std::vector<double> medians;
  for (auto& t : times) medians.push_back(median(std::move(t)));
  return medians;
}

}  // namespace strata::bench
