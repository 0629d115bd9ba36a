// A stand-in for the service under the fuzz targets: the real routes' patterns, each handler
// doing what the real one does before it touches the database (the page, the path's id, the
// JSON body against its schema), answered by http::dispatch as the server answers them.
// What the real service could not survive aborts, which libFuzzer reports as a crash: an
// exception other than HttpError, a validated body whose fields do not read back, a response
// header that could split the response.
#pragma once

#include <array>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <nlohmann/json.hpp>

#include "app/api/schema.hpp"
#include "app/http/dispatch.hpp"
#include "app/http/message.hpp"

namespace backend::fuzz {

using Message = http::Message;

// The limits http::Limits sets by default, which the connection gives Beast's parser.
inline constexpr std::size_t kHeaderLimit = 16 * 1024;
inline constexpr std::size_t kBodyLimit = 1 << 20;

// Aborts naming `what` when `ok` is false: an invariant the service relies on was broken.
void expect(bool ok, const char* what);

// What the server answers to `request` (routes, then CORS for https://app.example), after
// checking that the response is well-formed.
http::Response answer(http::Request& request);

// Reads every field of a body that passed `schema` as the handlers read them (schemas.cpp);
// aborts when one does not read back within the schema's limits.
void read_back(const api::Schema& schema, const nlohmann::ordered_json& body);

// Every schema the service declares, requests and responses.
const std::array<const api::Schema*, 7>& all_schemas();

}  // namespace backend::fuzz
