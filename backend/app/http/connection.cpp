#include "app/http/connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <ctime>

#include "app/http/dispatch.hpp"
#include "app/http/framing.hpp"

namespace backend::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = beast::http;

// After a refusal the client may still be sending: reading (and dropping) what arrives for a
// short while lets it read the answer instead of a reset.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 1 << 20;
// What an idle connection may keep of the buffer its last request needed.
constexpr std::size_t kIdleBufferBytes = std::size_t{16} * 1024;
// A client that reads its answer slower than this is dropped.
constexpr std::chrono::seconds kWriteTimeout{30};

// The Date header (RFC 9110 requires it), formatted once a second per thread.
const std::string& http_date() {
  thread_local std::time_t cached_at = -1;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::array<char, 64> buf{};
    text.assign(buf.data(),
                std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm));
    cached_at = now;
  }
  return text;
}

// The status a read error is answered with; nullopt when the client went away or the server
// is closing the connection, when nobody is left to answer.
std::optional<Response> answer_to(beast::error_code ec) {
  if (ec == beast::error::timeout) {
    return Response::error(408, "Request Timeout: the request took too long to arrive");
  }
  if (ec == bh::error::header_limit) {
    return Response::error(431, "Request Header Fields Too Large");
  }
  if (ec == bh::error::body_limit) {
    return Response::error(413, "Request body too large");
  }
  if (ec == bh::error::end_of_stream || ec == bh::error::partial_message ||
      ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return std::nullopt;
  }
  return Response::error(400, "Bad Request: the request is not well-formed HTTP/1.1");
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, Context& context, bool counted)
    : stream_(std::move(socket)),
      deadline_(stream_.get_executor()),
      context_(context),
      counted_(counted) {
  if (counted_) context_.open.fetch_add(1, std::memory_order_relaxed);
  beast::error_code ignored;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
}

Connection::~Connection() {
  if (!counted_) return;
  context_.open.fetch_sub(1, std::memory_order_relaxed);
  std::lock_guard lock(context_.mutex);
  context_.live.erase(this);
}

void Connection::start() {
  {
    std::lock_guard lock(context_.mutex);
    context_.live.emplace(this, weak_from_this());
  }
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->await_request(); });
}

void Connection::turn_away() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    auto busy = Response::error(503, "Service Unavailable: too many connections, retry later");
    busy.headers.emplace_back("Retry-After", "1");
    self->send(busy, false);
  });
}

void Connection::stop_if_idle() {
  if (phase_ == Phase::idle || phase_ == Phase::head) close();
}

// Waits for a request's first byte under the idle timeout, so that the header deadline
// counts from when the client starts to send.
void Connection::await_request() {
  phase_ = Phase::idle;
  head_only_ = false;
  if (context_.stopping) return close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_.limits.max_header_bytes));
  parser_->body_limit(context_.limits.max_body_bytes);
  if (buffer_.size() > 0) return read_head();  // pipelined: already here
  stream_.expires_after(context_.limits.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (ec) return self->close();
                            self->buffer_.commit(n);
                            self->read_head();
                          });
}

// tcp_stream's own expiry closes the socket, leaving nothing to send the 408 on: a request's
// deadlines cancel the read instead.
void Connection::arm(std::chrono::milliseconds timeout) {
  stream_.expires_never();
  timed_out_ = false;
  deadline_.expires_after(timeout);
  deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
    // A wait that had already expired when disarm() cancelled it still runs, without error:
    // the expiry moved to "never" tells it the read it was guarding has ended.
    if (ec || self->deadline_.expiry() > Clock::now()) return;
    self->timed_out_ = true;
    beast::error_code ignored;
    self->stream_.socket().cancel(ignored);
  });
}

beast::error_code Connection::disarm(beast::error_code ec) {
  deadline_.expires_at(asio::steady_timer::time_point::max());  // also cancels the wait
  return ec && timed_out_ ? beast::error::timeout : ec;
}

void Connection::read_head() {
  phase_ = Phase::head;
  started_ = Clock::now();
  arm(context_.limits.header_timeout);
  bh::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
}

void Connection::on_head(beast::error_code ec) {
  ec = disarm(ec);
  if (ec) return refuse(ec);
  if (auto rejection = check_head(parser_->get().base())) {
    log(rejection->status);
    return send(Response::error(rejection->status, rejection->detail), false);
  }
  if (parser_->is_done()) return respond();
  const auto& head = parser_->get();
  // HTTP/1.0 clients do not know 100 Continue (RFC 9110 10.1.1).
  if (head.version() < 11 || !boost::beast::iequals(head[bh::field::expect], "100-continue")) {
    return read_body();
  }
  // curl and others wait up to a second for this before sending a body.
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  stream_.expires_after(context_.limits.body_timeout);
  asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                      if (write_ec) return self->close();
                      self->read_body();
                    });
}

void Connection::read_body() {
  phase_ = Phase::body;
  arm(context_.limits.body_timeout);
  bh::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Connection::on_body(beast::error_code ec) {
  ec = disarm(ec);
  if (ec) return refuse(ec);
  respond();
}

void Connection::respond() {
  phase_ = Phase::busy;
  stream_.expires_never();
  const auto& message = parser_->get();
  Request request = to_request(message);
  // HEAD is GET without the body (RFC 9110 9.3.2): the same route, the same headers.
  head_only_ = message.method() == bh::verb::head;
  if (head_only_) request.method = "GET";
  Response response = context_.answer(request);
  log(response.status);
  send(response, message.keep_alive() && !context_.stopping, message.version());
}

void Connection::refuse(beast::error_code ec) {
  auto response = answer_to(ec);
  if (!response) return close();
  log(response->status);
  send(*response, false);
}

void Connection::send(const Response& response, bool keep_alive, unsigned version) {
  phase_ = Phase::busy;
  response_ = {};
  response_.result(static_cast<unsigned>(response.status));
  response_.version(version);
  response_.set(bh::field::date, http_date());
  if (!response.body.empty()) response_.set(bh::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) response_.insert(name, value);
  response_.keep_alive(keep_alive);
  response_.body() = response.body;
  response_.prepare_payload();
  if (head_only_) response_.body().clear();  // Content-Length still says the GET's size
  stream_.expires_after(kWriteTimeout);
  bh::async_write(stream_, response_,
                  [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                    self->on_sent(keep_alive, ec);
                  });
}

void Connection::on_sent(bool keep_alive, beast::error_code ec) {
  response_ = {};  // an idle connection keeps no answer, nor a large buffer
  if (buffer_.size() == 0 && buffer_.capacity() > kIdleBufferBytes) buffer_.shrink_to_fit();
  if (ec) return close();
  if (keep_alive) return await_request();
  // A connection turned away at the limit closes at once: lingering would let a flood of them
  // hold descriptors beyond the limit.
  if (!counted_) return close();
  linger();
}

void Connection::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  drain(0);
}

void Connection::drain(std::size_t drained) {
  if (drained >= kLingerBytes) return close();
  stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this(), drained](
                                                      beast::error_code ec, std::size_t n) {
    if (ec) return self->close();
    self->drain(drained + n);
  });
}

void Connection::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void Connection::log(int status) const {
  if (!parser_ || !spdlog::should_log(spdlog::level::info)) return;
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
  const auto& message = parser_->get();
  std::string_view target = message.target();
  spdlog::info("{} {} {} {:.2f}ms", std::string_view(message.method_string()),
               target.substr(0, target.find('?')), status, ms);
}

}  // namespace backend::http
