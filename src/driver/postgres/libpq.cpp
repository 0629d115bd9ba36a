#include "libpq.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstring>

#include "strata/core/error.hpp"

namespace strata::driver::postgres {
namespace {

[[noreturn]] void fail(std::string_view url, std::string_view what) {
  throw OperationalError(
      fmt::format("cannot load libpq for {}: {}; install the libpq5 package", url, what),
      {"", "", 0, "", std::string(url)});
}

template <class F>
void bind(void* library, F& slot, const char* name, std::string_view url) {
  void* symbol = ::dlsym(library, name);
  if (!symbol) fail(url, fmt::format("it has no {}", name));
  static_assert(sizeof(slot) == sizeof(symbol));
  std::memcpy(&slot, &symbol, sizeof(slot));  // object to function pointer, as POSIX allows
}

// Leaves `slot` null when the library lacks `name`.
template <class F>
void bind_optional(void* library, F& slot, const char* name) {
  void* symbol = ::dlsym(library, name);
  static_assert(sizeof(slot) == sizeof(symbol));
  std::memcpy(&slot, &symbol, sizeof(slot));
}

// All of pipeline mode or none of it.
void bind_pipeline(void* library, LibPq& pq) {
  bind_optional(library, pq.PQenterPipelineMode, "PQenterPipelineMode");
  bind_optional(library, pq.PQexitPipelineMode, "PQexitPipelineMode");
  bind_optional(library, pq.PQpipelineSync, "PQpipelineSync");
  bind_optional(library, pq.PQsendQueryParams, "PQsendQueryParams");
  bind_optional(library, pq.PQsendPrepare, "PQsendPrepare");
  bind_optional(library, pq.PQsendQueryPrepared, "PQsendQueryPrepared");
  if (!pq.PQexitPipelineMode || !pq.PQpipelineSync || !pq.PQsendQueryParams || !pq.PQsendPrepare ||
      !pq.PQsendQueryPrepared) {
    pq.PQenterPipelineMode = nullptr;
  }
}

LibPq load(std::string_view url) {
  void* library = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (!library) fail(url, ::dlerror());
  LibPq pq{};
  bind(library, pq.PQclear, "PQclear", url);
  bind(library, pq.PQcmdStatus, "PQcmdStatus", url);
  bind(library, pq.PQcmdTuples, "PQcmdTuples", url);
  bind(library, pq.PQconnectdbParams, "PQconnectdbParams", url);
  bind(library, pq.PQconsumeInput, "PQconsumeInput", url);
  bind(library, pq.PQerrorMessage, "PQerrorMessage", url);
  bind(library, pq.PQexec, "PQexec", url);
  bind(library, pq.PQexecParams, "PQexecParams", url);
  bind(library, pq.PQexecPrepared, "PQexecPrepared", url);
  bind(library, pq.PQfinish, "PQfinish", url);
  bind(library, pq.PQfname, "PQfname", url);
  bind(library, pq.PQftype, "PQftype", url);
  bind(library, pq.PQgetisnull, "PQgetisnull", url);
  bind(library, pq.PQgetlength, "PQgetlength", url);
  bind(library, pq.PQgetvalue, "PQgetvalue", url);
  bind(library, pq.PQnfields, "PQnfields", url);
  bind(library, pq.PQntuples, "PQntuples", url);
  bind(library, pq.PQparameterStatus, "PQparameterStatus", url);
  bind(library, pq.PQprepare, "PQprepare", url);
  bind(library, pq.PQputCopyData, "PQputCopyData", url);
  bind(library, pq.PQputCopyEnd, "PQputCopyEnd", url);
  bind(library, pq.PQresultErrorField, "PQresultErrorField", url);
  bind(library, pq.PQresultStatus, "PQresultStatus", url);
  bind(library, pq.PQsetNoticeProcessor, "PQsetNoticeProcessor", url);
  bind(library, pq.PQsocket, "PQsocket", url);
  bind(library, pq.PQstatus, "PQstatus", url);
  bind(library, pq.PQtransactionStatus, "PQtransactionStatus", url);
  bind(library, pq.PQgetResult, "PQgetResult", url);
  bind_pipeline(library, pq);
  return pq;  // the library stays open for the life of the process
}

}  // namespace

// A static's initialisation is thread-safe, and tried again after it throws.
const LibPq& load_libpq(std::string_view url) {
  static const LibPq pq = load(url);
  loaded_libpq.store(&pq, std::memory_order_release);
  return pq;
}

}  // namespace strata::driver::postgres
