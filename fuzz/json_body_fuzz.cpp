// The bytes as the JSON body of a request (Content-Type: application/json) through json_body()
// against every schema the service declares. A refusal must be an HttpError (400, not JSON) or
// a ValidationError (422); a body that passes must read back as the handlers read it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/api/errors.hpp"
#include "app/api/validation.hpp"
#include "service.hpp"

namespace api = backend::api;
using backend::fuzz::expect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  backend::http::Request request;
  request.method = "POST";
  request.path = "/users";
  request.headers = {{"Host", "localhost"}, {"Content-Type", "application/json"}};
  request.body = std::string_view(reinterpret_cast<const char*>(data), size);
  for (const api::Schema* schema : backend::fuzz::all_schemas()) {
    try {
      backend::fuzz::read_back(*schema, api::json_body(request, *schema));
    } catch (const api::HttpError& e) {
      auto reply = e.reply();
      expect(reply.status == 400 || reply.status == 422, "json_body refused with another status");
      reply.body.dump();  // strict: the detail must be valid UTF-8 JSON
    }
  }
  return 0;
}
