// What core knows of a backend: the one record each backend fills in inside its own folder
// (src/driver/<name>/<name>_backend.cpp), so that URL parsing, the driver's entry points and
// the dialect's lookup ask the record instead of naming backends. Core declares the list and
// defines nothing of it: src/driver/backends.cpp lists the built-in records, which keeps core
// from including any driver or dialect header. Private to the library and its tests.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "sql_lexer.hpp"
#include "strata/core/url.hpp"

namespace strata {
class Dialect;
namespace driver {
class Connection;
}

namespace detail {

// A backend's descriptor. Immutable data with static storage: thread-safe, never destroyed.
struct BackendSpec {
  Backend backend;
  std::string_view name;   // its dialect's name too: "sqlite"
  std::string_view title;  // the name people write, for messages: "SQLite"
  // The URL schemes it answers to, the usual one first (messages name that one).
  std::span<const std::string_view> schemes;
  // A URL shown when a URL has no scheme at all: "sqlite:///file.db".
  std::string_view example_url;
  // True when its URLs name a file (scheme:///path, scheme:// for memory); false when they
  // name a server (user:password@host:port/database).
  bool file_urls;
  // The query parameters it takes, besides the pool settings every backend takes.
  std::span<const std::string_view> params;
  // Parameters that belong to another kind of backend, refused with `misplaced_reason` (which
  // follows "parameter 'x' in database URL '...' ") rather than as unknown.
  std::span<const std::string_view> misplaced_params;
  std::string_view misplaced_reason;
  // How it reads SQL text: what placeholder rendering and script splitting tokenize its SQL by.
  const SqlSyntax* syntax;

  // Opens a connection to a URL already parsed and validated (driver::connect).
  std::unique_ptr<driver::Connection> (*connect)(const Url& url);
  // Loads a client library opened at run time; null when the library is linked.
  void (*load)(const Url& url);
  // Checks the URL's driver parameters without connecting; throws ConfigError.
  void (*validate)(const Url& url);
  // The backend's dialect singleton (Dialect::of, Dialect::all).
  const Dialect& (*dialect)();
};

// Every built-in backend, SQLite first. Defined once, in src/driver/backends.cpp.
std::span<const BackendSpec* const> backends();

// The descriptor of `backend`. Throws UsageError for an enumerator no backend describes (a new
// Backend value without its list entry).
const BackendSpec& backend_spec(Backend backend);

}  // namespace detail
}  // namespace strata
