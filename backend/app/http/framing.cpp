#include "app/http/framing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <charconv>

namespace backend::http {
namespace {

namespace bh = boost::beast::http;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::size_t count(const RequestHead& head, bh::field name) {
  auto [first, last] = head.equal_range(name);
  return static_cast<std::size_t>(std::distance(first, last));
}

// Exactly one plain decimal Content-Length ("5, 5" and "+5" are refused too); nullopt when
// there is none.
std::optional<Rejection> check_length(const RequestHead& head, std::size_t max_body_bytes) {
  std::size_t lengths = count(head, bh::field::content_length);
  if (lengths == 0) return std::nullopt;
  if (lengths > 1) return Rejection{400, "More than one Content-Length header"};
  auto text = trim(head[bh::field::content_length]);
  std::uint64_t length = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (text.empty() || !digits || ec != std::errc() || end != text.data() + text.size()) {
    return Rejection{400, "Content-Length is not a decimal number"};
  }
  if (length > max_body_bytes) {
    return Rejection{413,
                     fmt::format("Request body too large: the limit is {} bytes", max_body_bytes)};
  }
  return std::nullopt;
}

std::optional<Rejection> check_coding(const RequestHead& head) {
  std::size_t codings = count(head, bh::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  if (count(head, bh::field::content_length) > 0) {
    return Rejection{400, "Content-Length and Transfer-Encoding together"};
  }
  auto coding = trim(head[bh::field::transfer_encoding]);
  if (codings > 1 || !boost::beast::iequals(coding, "chunked")) {
    return Rejection{400, "Transfer-Encoding not supported: only chunked is"};
  }
  return std::nullopt;
}

bool takes_body(bh::verb method) {
  return method == bh::verb::post || method == bh::verb::put || method == bh::verb::patch;
}

}  // namespace

std::optional<Rejection> check_head(const RequestHead& head, std::size_t max_body_bytes) {
  if (auto coding = check_coding(head)) return coding;
  if (auto length = check_length(head, max_body_bytes)) return length;
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
