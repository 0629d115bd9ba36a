// What a handler answers, and the errors it raises to answer otherwise, in the shapes FastAPI
// users know ({"detail": ...}). Values and exceptions only: no database, no transport.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace backend::api {

// A status and a JSON body; a null body sends no content (204). ordered_json keeps fields in
// the order they are written ("id" first), as FastAPI's responses do.
struct Reply {
  int status = 200;
  nlohmann::ordered_json body;
};

// An error a handler raises to answer `status` with {"detail": detail}.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, nlohmann::ordered_json detail)
      : std::runtime_error(detail.is_string() ? detail.get<std::string>() : detail.dump()),
        status_(status),
        detail_(std::move(detail)) {}

  Reply reply() const { return {status_, {{"detail", detail_}}}; }

 private:
  int status_;
  nlohmann::ordered_json detail_;
};

// One failed field: `loc` is where it is ({"body", "title"}, {"query", "limit"}).
struct FieldError {
  std::vector<std::string> loc;
  std::string msg;
  std::string type;
};

// 422 with every field that failed, as FastAPI reports them.
class ValidationError : public HttpError {
 public:
  explicit ValidationError(const std::vector<FieldError>& errors);
};

// 404 {"detail": "<what> not found"}.
HttpError not_found(const std::string& what);

}  // namespace backend::api
