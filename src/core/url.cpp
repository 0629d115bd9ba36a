#include "strata/core/url.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <span>
#include <string>
#include <vector>

#include "backend_spec.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace {

// The pool settings, which every backend takes; each backend lists its own (BackendSpec).
constexpr std::string_view kPoolParams[] = {"pool_size",     "max_overflow",
                                            "pool_timeout",  "pool_recycle",
                                            "pool_pre_ping", "statement_cache_size"};

bool contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text, std::string_view what, std::string_view url) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      throw ConfigError(fmt::format("invalid percent-encoding in the {} of database URL '{}'", what,
                                    mask_url(url)));
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::uint16_t parse_port(std::string_view text, std::string_view url) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    // Not echoed on its own: without an '@', a "port" may be a password (the URL masks it).
    throw ConfigError(
        fmt::format("bad port in database URL '{}': expected 1 to 65535", mask_url(url)));
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

namespace {

// Parameter names that may hold a secret, including misspellings of `password` (an unknown
// parameter's value is printed masked when it might be one).
bool password_like(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"pas", "pwd", "secret"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return lower == "pw";
}

// Decodes what it can and keeps a bad escape as it is: for reading names in text that may not
// parse.
std::string lenient_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int hi = text[i] == '%' && i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
    if (lo < 0) {
      out += text[i];
      continue;
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

using Hidden = std::vector<bool>;

void hide(Hidden& hidden, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < hidden.size(); ++i) hidden[i] = true;
}

// Everything between the first ':' of the user information and the last '@', even when an
// unencoded '@', '/' or '?' stands in the password. Without an '@', a "port" that is not a
// number may be a password whose "@host" was forgotten.
void hide_user_info(std::string_view text, std::size_t start, Hidden& hidden) {
  auto at = text.rfind('@');
  if (at != std::string_view::npos && at >= start) {
    auto colon = text.find(':', start);
    if (colon < at) hide(hidden, colon + 1, at);
    return;
  }
  std::string_view authority = text.substr(start, text.find_first_of("/?#", start) - start);
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return;
  std::string_view port = authority.substr(colon + 1);
  bool number = std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!number && port.find(']') == std::string_view::npos) {
    hide(hidden, start + colon + 1, start + authority.size());
  }
}

// The value of each password-like `name=value` item in text[first, ...), items separated by
// any of `separators`, each name percent-decoded first: a URL's query (`&`) or libpq's
// keyword/value form (`host=h password=s3cret`, spaces).
void hide_secret_values(std::string_view text, std::size_t first, std::string_view separators,
                        Hidden& hidden) {
  for (std::size_t start = first; start < text.size();) {
    std::size_t end = std::min(text.find_first_of(separators, start), text.size());
    std::size_t eq = text.find('=', start);
    if (eq < end && password_like(lenient_decode(text.substr(start, eq - start)))) {
      hide(hidden, eq + 1, end);
    }
    start = end + 1;
  }
}

// Where a URL that starts in the word [start, end) of a message ends. A password may hold
// spaces: when the user information is still open (a ':' after the scheme, no '@' and no '/'
// yet), the URL runs on to the word that holds its '@'.
std::size_t url_end(std::string_view message, std::size_t start, std::size_t end) {
  std::string_view word = message.substr(start, end - start);
  auto scheme = word.find("://");
  if (scheme == std::string_view::npos || word.find('@') != std::string_view::npos) return end;
  std::string_view rest = word.substr(scheme + 3);
  if (rest.find(':') == std::string_view::npos || rest.find('/') != std::string_view::npos) {
    return end;
  }
  auto at = message.find('@', end);
  if (at == std::string_view::npos || message.find_first_of("/\n", end) < at) return end;
  return std::min(message.find_first_of(" \t\n", at), message.size());
}

// `text` with each run of characters that `find` hides replaced by ***.
template <typename Find>
std::string masked(std::string_view text, Find find) {
  Hidden hidden(text.size(), false);
  find(hidden);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!hidden[i]) {
      out += text[i];
    } else if (i == 0 || !hidden[i - 1]) {
      out += "***";
    }
  }
  return out;
}

}  // namespace

std::string mask_url(std::string_view text) {
  return masked(text, [&](Hidden& hidden) {
    auto scheme_end = text.find("://");
    std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    hide_user_info(text, start, hidden);
    if (auto query = text.find('?', start); query != std::string_view::npos) {
      hide_secret_values(text, query + 1, "&", hidden);
    }
    if (scheme_end == std::string_view::npos) hide_secret_values(text, 0, " \t", hidden);
  });
}

std::string mask_urls_in(std::string_view message) {
  std::string out;
  for (std::size_t start = 0; start <= message.size();) {
    std::size_t end = std::min(message.find_first_of(" \t\n", start), message.size());
    end = url_end(message, start, end);
    std::string_view word = message.substr(start, end - start);
    bool url_like = word.find("://") != std::string_view::npos || word.find('@') != word.npos;
    if (url_like) {
      out += mask_url(word);
    } else if (word.find('=') != std::string_view::npos) {
      out += masked(word, [&](Hidden& hidden) { hide_secret_values(word, 0, " \t", hidden); });
    } else {
      out += word;
    }
    if (end < message.size()) out += message[end];
    start = end + 1;
  }
  return out;
}

namespace {

struct Parts {
  std::string_view scheme, authority, path, query;
};

// The backends' example URLs, or their usual schemes, joined: "sqlite or postgresql".
std::string each_backend(bool examples) {
  std::vector<std::string_view> names;
  for (const detail::BackendSpec* spec : detail::backends()) {
    names.push_back(examples ? spec->example_url : spec->schemes.front());
  }
  return fmt::format("{}", fmt::join(names, " or "));
}

Parts split(std::string_view text) {
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) {
    throw ConfigError(fmt::format("database URL '{}' has no scheme: expected {}", mask_url(text),
                                  each_backend(true)));
  }
  Parts parts;
  parts.scheme = text.substr(0, scheme_end);
  std::string_view rest = text.substr(scheme_end + 3);
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    parts.query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  auto slash = rest.find('/');
  parts.authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) parts.path = rest.substr(slash);
  return parts;
}

// A '/', '?' or '#' before the last '@' would cut the password into the host, path or query,
// and an error about those parts would then show a piece of it.
void check_user_info(std::string_view text) {
  auto scheme_end = text.find("://");
  auto at = text.rfind('@');
  if (scheme_end == std::string_view::npos || at == std::string_view::npos || at < scheme_end)
    return;
  std::string_view user_info = text.substr(scheme_end + 3, at - scheme_end - 3);
  if (user_info.find_first_of("/?#") == std::string_view::npos) return;
  throw ConfigError(fmt::format(
      "the user or password of database URL '{}' contains '/', '?' or '#': percent-encode them "
      "(%2F, %3F, %23)",
      mask_url(text)));
}

const detail::BackendSpec& spec_of_scheme(std::string_view scheme, std::string_view url) {
  for (const detail::BackendSpec* spec : detail::backends()) {
    if (contains(spec->schemes, scheme)) return *spec;
  }
  throw ConfigError(fmt::format("unknown scheme '{}' in database URL '{}': expected {}", scheme,
                                mask_url(url), each_backend(false)));
}

bool known_param(Backend backend, std::string_view name) {
  return contains(kPoolParams, name) || contains(detail::backend_spec(backend).params, name);
}

}  // namespace

Url Url::parse(std::string_view text) {
  check_user_info(text);
  Parts parts = split(text);
  Url url;
  url.scheme_ = std::string(parts.scheme);
  const detail::BackendSpec& spec = spec_of_scheme(parts.scheme, text);
  url.backend_ = spec.backend;
  if (spec.file_urls) {
    url.parse_file_path(parts.authority, parts.path, text);
  } else {
    url.parse_authority(parts.authority, text);
    std::string_view db = parts.path.empty() ? parts.path : parts.path.substr(1);
    url.database_ = percent_decode(db, "database name", text);
    if (url.database_.empty()) {
      throw ConfigError(
          fmt::format("database URL '{}' names no database: add it after the host, as in "
                      "{}://user@host:5432/app",
                      mask_url(text), spec.schemes.front()));
    }
  }
  url.parse_query(parts.query, text);
  return url;
}

// The scheme as written names the forms to use: a file URL has no other spelling to suggest.
void Url::parse_file_path(std::string_view authority, std::string_view path,
                          std::string_view text) {
  std::string_view title = detail::backend_spec(backend_).title;
  if (!authority.empty()) {
    throw ConfigError(
        fmt::format("{} URL '{}' has a host or user: use {}:///relative.db or {}:////absolute.db",
                    title, mask_url(text), scheme_, scheme_));
  }
  std::string_view file = path.empty() ? path : path.substr(1);
  if (!path.empty() && file.empty()) {
    throw ConfigError(
        fmt::format("{} URL '{}' names no file: use {}:///app.db, or {}:// for memory", title,
                    mask_url(text), scheme_, scheme_));
  }
  database_ = file == ":memory:" ? "" : percent_decode(file, "path", text);
}

void Url::parse_authority(std::string_view authority, std::string_view text) {
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    username_ = percent_decode(userinfo.substr(0, colon), "user name", text);
    if (colon != std::string_view::npos) {
      password_ = percent_decode(userinfo.substr(colon + 1), "password", text);
    }
  }
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      throw ConfigError(
          fmt::format("unclosed '[' in the host of database URL '{}'", mask_url(text)));
    }
    host_ = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') {
      throw ConfigError(fmt::format("unexpected '{}' after the host of database URL '{}'", after,
                                    mask_url(text)));
    }
    if (!after.empty()) port = after.substr(1);
  } else {
    auto colon = authority.find(':');
    host_ = percent_decode(authority.substr(0, colon), "host", text);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (port) port_ = parse_port(*port, text);
}

void Url::parse_query(std::string_view query, std::string_view text) {
  for (std::size_t start = 0; start < query.size();) {
    auto amp = query.find('&', start);
    std::string_view item = query.substr(start, amp - start);
    start = amp == std::string_view::npos ? query.size() : amp + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    std::string name = percent_decode(item.substr(0, eq), "parameters", text);
    std::string value =
        eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1), "parameters", text);
    if (const auto& spec = detail::backend_spec(backend_); contains(spec.misplaced_params, name)) {
      throw ConfigError(fmt::format("parameter '{}' in database URL '{}' {}: remove it", name,
                                    mask_url(text), spec.misplaced_reason));
    }
    if (!known_param(backend_, name)) {
      throw ConfigError(
          fmt::format("unknown parameter '{}' in database URL '{}'", name, mask_url(text)));
    }
    if (param(name)) {
      throw ConfigError(
          fmt::format("parameter '{}' is given twice in database URL '{}'", name, mask_url(text)));
    }
    params_.emplace_back(std::move(name), std::move(value));
  }
}

bool Url::is_memory() const noexcept {
  return detail::backend_spec(backend_).file_urls && database_.empty();
}

bool Url::is_file() const noexcept {
  return detail::backend_spec(backend_).file_urls && !database_.empty();
}

const std::string& Url::password() const noexcept {
  for (const auto& [key, value] : params_) {
    if (key == "password") return value;
  }
  return password_;
}

std::optional<std::string> Url::param(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<bool> Url::flag(std::string_view name) const {
  auto text = param(name);
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "1" || *text == "on" || *text == "yes") return true;
  if (*text == "false" || *text == "0" || *text == "off" || *text == "no") return false;
  throw ConfigError(
      fmt::format("bad value '{}' for '{}' in database URL '{}': expected true or false", *text,
                  name, masked()));
}

bool Url::pooled() const {
  auto prepared = flag("prepared_statements");
  auto pgbouncer = flag("pgbouncer");
  if (prepared && pgbouncer && *prepared == *pgbouncer) {
    throw ConfigError(fmt::format(
        "'prepared_statements' and 'pgbouncer' contradict each other in database URL '{}': "
        "pgbouncer=true means prepared_statements=false; keep one of them",
        masked()));
  }
  return (prepared && !*prepared) || (pgbouncer && *pgbouncer);
}

Url Url::with_database(std::string_view database) const {
  Url copy = *this;
  copy.database_ = std::string(database);
  return copy;
}

Url Url::with_param(std::string_view name, std::string_view value) const {
  if (!known_param(backend_, name)) {
    throw ConfigError(fmt::format("unknown parameter '{}' for database URL '{}'", name, masked()));
  }
  Url copy = *this;
  auto it = std::find_if(copy.params_.begin(), copy.params_.end(),
                         [&](const auto& p) { return p.first == name; });
  if (it != copy.params_.end()) {
    it->second = std::string(value);
  } else {
    copy.params_.emplace_back(std::string(name), std::string(value));
  }
  return copy;
}

Url Url::resolved_against(const std::filesystem::path& dir) const {
  if (!is_file()) return *this;
  std::filesystem::path path(database_);
  if (path.is_absolute()) return *this;
  Url copy = *this;
  copy.database_ = (dir / path).lexically_normal().string();
  return copy;
}

std::string Url::masked() const {
  return render(true);
}
std::string Url::unmasked() const {
  return render(false);
}

std::string Url::render(bool mask) const {
  std::string out = scheme_ + "://";
  if (detail::backend_spec(backend_).file_urls) {
    if (!database_.empty()) out += "/" + database_;
  } else {
    if (!username_.empty() || !password_.empty()) {
      out += percent_encode(username_);
      if (!password_.empty()) out += ":" + (mask ? std::string("***") : percent_encode(password_));
      out += "@";
    }
    out += host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
    if (port_) out += fmt::format(":{}", *port_);
    out += "/" + percent_encode(database_);
  }
  char sep = '?';
  for (const auto& [key, value] : params_) {
    out += sep + key + "=" + (mask && password_like(key) ? "***" : percent_encode(value));
    sep = '&';
  }
  return out;
}

}  // namespace strata
