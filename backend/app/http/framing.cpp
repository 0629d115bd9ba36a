#include "app/http/framing.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <charconv>

namespace backend::http {
namespace {

namespace bh = boost::beast::http;

std::size_t count(const RequestHead& head, bh::field name) {
  auto [first, last] = head.equal_range(name);
  return static_cast<std::size_t>(std::distance(first, last));
}

// Exactly one plain decimal Content-Length ("5, 5" and "+5" are refused too); nullopt when
// there is none. Beast has already stripped the blanks around the value.
std::optional<Rejection> check_length(const RequestHead& head) {
  std::size_t lengths = count(head, bh::field::content_length);
  if (lengths == 0) return std::nullopt;
  if (lengths > 1) return Rejection{400, "More than one Content-Length header"};
  std::string_view text = head[bh::field::content_length];
  std::uint64_t length = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (text.empty() || !digits || ec != std::errc() || end != text.data() + text.size()) {
    return Rejection{400, "Content-Length is not a decimal number"};
  }
  return std::nullopt;
}

std::optional<Rejection> check_coding(const RequestHead& head) {
  std::size_t codings = count(head, bh::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  if (count(head, bh::field::content_length) > 0) {
    return Rejection{400, "Content-Length and Transfer-Encoding together"};
  }
  // HTTP/1.0 has no chunking: such a message is badly framed (RFC 9112 section 6.1).
  if (head.version() < 11) return Rejection{400, "Transfer-Encoding in an HTTP/1.0 request"};
  std::string_view coding = head[bh::field::transfer_encoding];
  if (codings > 1 || !boost::beast::iequals(coding, "chunked")) {
    return Rejection{400, "Transfer-Encoding not supported: only chunked is"};
  }
  return std::nullopt;
}

bool takes_body(bh::verb method) {
  return method == bh::verb::post || method == bh::verb::put || method == bh::verb::patch;
}

}  // namespace

std::optional<Rejection> check_head(const RequestHead& head) {
  if (auto coding = check_coding(head)) return coding;
  if (auto length = check_length(head)) return length;
  std::size_t hosts = count(head, bh::field::host);
  if (hosts > 1 || (hosts == 0 && head.version() >= 11)) {
    return Rejection{400, "An HTTP/1.1 request needs exactly one Host header"};
  }
  bool framed = count(head, bh::field::content_length) + count(head, bh::field::transfer_encoding);
  if (takes_body(head.method()) && !framed) {
    return Rejection{411, "Length Required: send Content-Length or Transfer-Encoding: chunked"};
  }
  return std::nullopt;
}

}  // namespace backend::http
