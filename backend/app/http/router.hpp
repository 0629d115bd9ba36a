// Which handler answers a method and a path. Patterns are literal segments and {placeholders}
// ("/items/{item_id}"); a placeholder matches one whole, percent-decoded segment. Built once
// at startup, then read by every I/O thread: not thread-safe to add() to while serving.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/http/message.hpp"

namespace backend::http {

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  void add(std::string_view method, std::string_view pattern, Handler handler);

  // What a request's method and raw path lead to.
  struct Found {
    const Handler* handler = nullptr;  // null: no route for this method and path
    std::vector<std::string> params;   // the placeholders' values, in the pattern's order
    std::string allow;                 // without a handler: the path's methods ("GET, POST"),
                                       // empty when no pattern matches the path at all
  };
  Found find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{...}" is a placeholder
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace backend::http
