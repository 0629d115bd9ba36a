#include "backend/raw_http.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace strata::test {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

// True when `fd` has something to read (bytes, a close or an error) within `timeout_ms`.
bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

std::string trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

// The status line and header fields of a head (without its final blank line).
RawResponse parse_head(std::string_view head) {
  RawResponse out;
  auto eol = head.find("\r\n");
  auto status_line = head.substr(0, eol);
  out.status = status_line.starts_with("HTTP/1.") && status_line.size() >= 12
                   ? std::atoi(std::string(status_line.substr(9, 3)).c_str())
                   : -1;
  while (eol != std::string_view::npos) {
    auto start = eol + 2;
    eol = head.find("\r\n", start);
    auto line = head.substr(start, eol == std::string_view::npos ? eol : eol - start);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out.headers.emplace_back(std::string(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return out;
}

// Parses the response at the start of `buffer` into `out`; returns the bytes it takes, or 0
// while it is incomplete. `closed`: no more bytes will come.
std::size_t parse(const std::string& buffer, bool closed, RawResponse& out) {
  auto end = buffer.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  out = parse_head(std::string_view(buffer).substr(0, end));
  auto body_start = end + 4;
  auto length = out.header("Content-Length");
  std::size_t body_size = 0;
  if (length) {
    body_size = std::stoull(*length);
  } else if (out.status >= 200 && out.status != 204 && out.status != 304) {
    if (!closed) return 0;  // delimited by the close
    body_size = buffer.size() - body_start;
  }
  if (buffer.size() < body_start + body_size) return 0;
  out.body = buffer.substr(body_start, body_size);
  return body_start + body_size;
}

}  // namespace

std::optional<std::string> RawResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

nlohmann::json RawResponse::json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  // Each send is a segment of its own: a dribbled byte must not wait for a delayed ACK.
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

RawConnection::RawConnection(RawConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      closed_(other.closed_),
      buffer_(std::move(other.buffer_)) {}

bool RawConnection::send(std::string_view bytes) {
  while (!bytes.empty()) {
    auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(sent));
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, kGuardMs) <= 0) return false;
  }
  return true;
}

std::size_t RawConnection::send_until_answered(std::string_view bytes, std::size_t piece) {
  std::size_t sent = 0;
  while (sent < bytes.size() && !readable(fd_, 0)) {
    auto next = bytes.substr(sent, piece);
    if (!send(next)) break;
    sent += next.size();
  }
  return sent;
}

bool RawConnection::dribble(std::string_view bytes, int interval_ms) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && readable(fd_, interval_ms)) return false;
    if (!send(bytes.substr(i, 1))) return false;
  }
  return true;
}

void RawConnection::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

bool RawConnection::receive(int timeout_ms) {
  if (!readable(fd_, timeout_ms)) return false;
  char chunk[65536];
  auto got = ::recv(fd_, chunk, sizeof chunk, 0);
  if (got > 0) {
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
  closed_ = true;  // an orderly close, or a reset
  return false;
}

std::optional<RawResponse> RawConnection::read_response(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    RawResponse response;
    if (auto used = parse(buffer_, closed_, response); used > 0) {
      buffer_.erase(0, used);
      return response;
    }
    // A close ends the wait, after one more parse for a body it delimits.
    if (closed_) return std::nullopt;
    if (!receive(remaining_ms(deadline)) && !closed_) return std::nullopt;
  }
}

bool RawConnection::wait_closed(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!closed_) {
    if (!receive(remaining_ms(deadline)) && !closed_) return false;
  }
  return true;
}

std::string get_request(const std::string& path, const std::string& extra) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

std::string body_request(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& type) {
  std::string head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!type.empty()) head += "Content-Type: " + type + "\r\n";
  return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

RawResponse round_trip(int port, const std::string& request) {
  RawConnection connection(port);
  if (!connection.connected() || !connection.send(request)) return {};
  return connection.read_response().value_or(RawResponse{});
}

void expect_error(const std::optional<RawResponse>& response, int status) {
  ASSERT_TRUE(response) << "no response where " << status << " was due";
  EXPECT_EQ(response->status, status) << response->body;
  auto body = response->json();
  EXPECT_TRUE(body.is_object() && body.size() == 1 && body.contains("detail")) << response->body;
}

void expect_error_then_close(RawConnection& connection, int status) {
  auto response = connection.read_response();
  expect_error(response, status);
  if (!response) return;
  auto says = response->header("Connection").value_or("");
  std::transform(says.begin(), says.end(), says.begin(), ::tolower);
  EXPECT_NE(says.find("close"), std::string::npos) << "Connection: " << says;
  EXPECT_TRUE(connection.wait_closed()) << "still open after " << status;
  EXPECT_EQ(connection.leftover(), "") << "bytes after the " << status;
}

long list_size(int port, const std::string& path) {
  auto listed = round_trip(port, get_request(path)).json();
  return listed.is_array() ? static_cast<long>(listed.size()) : -1;
}

std::int64_t create_user_raw(int port, const std::string& email) {
  auto created =
      round_trip(port, body_request("POST", "/users", nlohmann::json{{"email", email}}.dump()));
  EXPECT_EQ(created.status, 201) << created.body;
  return created.json().value("id", std::int64_t{0});
}

}  // namespace strata::test
