#include "app/http/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace backend::http {
namespace {

bool is_placeholder(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b" -> {"a", "b"}; "/" -> {""}. A path that is not absolute has no segments.
std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

// The placeholders' values when `pattern` matches `path`.
std::optional<std::vector<std::string>> match(const std::vector<std::string>& pattern,
                                              const std::vector<std::string_view>& path) {
  if (pattern.size() != path.size()) return std::nullopt;
  std::vector<std::string> params;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    auto decoded = percent_decode(path[i], false);
    if (!decoded) return std::nullopt;
    if (!is_placeholder(pattern[i])) {
      if (*decoded != pattern[i]) return std::nullopt;
      continue;
    }
    if (decoded->empty()) return std::nullopt;
    params.push_back(std::move(*decoded));
  }
  return params;
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  std::vector<std::string> segments;
  for (auto segment : split(pattern)) segments.emplace_back(segment);
  routes_.push_back({std::string(method), std::move(segments), std::move(handler)});
}

Router::Found Router::find(std::string_view method, std::string_view path) const {
  auto segments = split(path);
  std::vector<std::string_view> allowed;
  for (const auto& route : routes_) {
    auto params = match(route.segments, segments);
    if (!params) continue;
    if (route.method == method) return {&route.handler, std::move(*params), {}};
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  Found found;
  for (auto m : allowed)
    found.allow += found.allow.empty() ? std::string(m) : fmt::format(", {}", m);
  return found;
}

}  // namespace backend::http
