// How a route answers: a handler returns a Reply or throws, and endpoint() turns both into an
// HTTP response in the shapes FastAPI users know ({"detail": ...}). Database failures become 503
// and anything unexpected 500; the response never carries SQL, URLs or stack traces (those go
// to the log, where the URL is masked).
#pragma once

#include <functional>

#include "app/api/errors.hpp"
#include "app/http/router.hpp"

namespace backend::api {

using Handler = std::function<Reply(const http::Request&)>;

// Adapts a handler to the server: runs it, maps what it throws to a status, writes the JSON.
http::Handler endpoint(Handler handler);

}  // namespace backend::api
