// One client connection and what its sessions share. Private to the HTTP layer.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "app/http/server.hpp"

namespace backend::http {

class Connection;

// What every connection of one server reads, and the registry a graceful stop walks. The
// atomics and the mutex make it safe to share between the I/O threads.
struct Context {
  Router router;
  Limits limits;
  Cors cors;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open{0};  // connections being served, not those turned away

  // Initialised here too, so that Clang accepts Context{router, limits, cors} without warning.
  std::mutex mutex{};
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live{};

  // The route's answer to a complete request, with CORS applied; never throws.
  Response answer(Request& request) const;
};

// Reads requests one after the other, each within its deadlines, answers each in order, and
// closes when the client does, a deadline passes, a request is refused or the server stops.
// Owned by the shared_ptrs of its pending operations; every step runs on its socket's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, Context& context, bool counted);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // Answers 503 at once and closes: the server is at its connection limit.
  void turn_away();
  // Closes the connection if it is between requests or still reading a request's headers;
  // a request whose body is arriving or being answered finishes first. On the strand.
  void stop_if_idle();
  boost::asio::any_io_executor executor() { return stream_.get_executor(); }

 private:
  enum class Phase { idle, head, body, busy };
  using Clock = std::chrono::steady_clock;

  void arm(std::chrono::milliseconds timeout);
  boost::beast::error_code disarm(boost::beast::error_code ec);
  void await_request();
  void read_head();
  void on_head(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void respond();
  void refuse(boost::beast::error_code ec);
  void send(const Response& response, bool keep_alive, unsigned version = 11);
  void on_sent(bool keep_alive, boost::beast::error_code ec);
  void linger();
  void drain(std::size_t drained);
  void close();
  void log(int status) const;

  boost::beast::tcp_stream stream_;
  boost::asio::steady_timer deadline_;  // the current request's header or body deadline
  bool timed_out_ = false;
  bool head_only_ = false;  // answering a HEAD: the headers of GET's answer, no body
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> response_;
  Context& context_;
  bool counted_;
  Phase phase_ = Phase::idle;
  Clock::time_point started_;
  std::array<char, 4096> scratch_{};
};

}  // namespace backend::http
