// HTTP/1.1 over a plain loopback socket, for the tests that send what no HTTP client would:
// split, slow, malformed or pipelined requests, half-closes. Every wait is a poll() bounded by
// a guard that only turns a hang into a failure; nothing here sleeps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::test {

// How long any single wait may last before the test counts it as a hang.
inline constexpr int kGuardMs = 10'000;

// One parsed response. The server frames every body with Content-Length; a response without
// one (other than 1xx/204/304) is read to the close of the connection.
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of header `name` (any case).
  std::optional<std::string> header(std::string_view name) const;
  // The body as JSON, null when it is not JSON.
  nlohmann::json json() const;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; connected() says whether it worked.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&&) = delete;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of `bytes`; false when the peer closed or stopped reading for kGuardMs.
  bool send(std::string_view bytes);
  // Sends `bytes` in pieces of `piece` bytes and stops early once an answer is readable.
  // Returns how many bytes went out.
  std::size_t send_until_answered(std::string_view bytes, std::size_t piece);
  // Sends `bytes` one at a time, waiting up to `interval_ms` for an answer after each; stops
  // as soon as one is readable. True when every byte went out without an answer.
  bool dribble(std::string_view bytes, int interval_ms);
  void shutdown_write();

  // The next response, or nothing when the connection closed or kGuardMs passed first.
  std::optional<RawResponse> read_response(int timeout_ms = kGuardMs);
  // Reads until the peer closes; true when it did within `timeout_ms`. Bytes that arrive
  // meanwhile are kept in leftover().
  bool wait_closed(int timeout_ms = kGuardMs);
  // Received bytes no response has consumed.
  const std::string& leftover() const { return buffer_; }

 private:
  // Waits for bytes and appends them to buffer_; false on close, error or timeout.
  bool receive(int timeout_ms);

  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

// "GET PATH HTTP/1.1" with Host and the `extra` header lines (each ending in \r\n).
std::string get_request(const std::string& path, const std::string& extra = "");
// A framed request with `body` of `type` (no Content-Type line when `type` is empty).
std::string body_request(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& type = "application/json");
// One request on a fresh connection and its response (status 0 when none came).
RawResponse round_trip(int port, const std::string& request);

// `response` is `status` with the error body {"detail": ...} and nothing else.
void expect_error(const std::optional<RawResponse>& response, int status);
// The next response on `connection` is error `status` with `Connection: close`, and then the
// server closes the connection without sending more.
void expect_error_then_close(RawConnection& connection, int status);
// How many elements GET `path` lists; -1 when it does not answer a list.
long list_size(int port, const std::string& path);
// A user made by a raw POST /users; its id (0 when that failed the test).
std::int64_t create_user_raw(int port, const std::string& email);

}  // namespace strata::test
