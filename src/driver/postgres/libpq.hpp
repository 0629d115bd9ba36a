// libpq, opened on the first PostgreSQL connection instead of at program start. Linking it
// loads its whole chain (Kerberos, LDAP, GnuTLS: some twenty libraries) into every process,
// which costs each run of a command-line tool on SQLite about 20 ms before main(); dlopen
// leaves that cost to the programs that use PostgreSQL. libpq-fe.h is included for its types
// and constants only.
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <string_view>

namespace strata::driver::postgres {

// The libpq functions strata calls, named as in libpq. Filled once, then read-only: shared by
// every thread.
struct LibPq {
  decltype(&::PQclear) PQclear;
  decltype(&::PQcmdStatus) PQcmdStatus;
  decltype(&::PQcmdTuples) PQcmdTuples;
  decltype(&::PQconnectdbParams) PQconnectdbParams;
  decltype(&::PQconsumeInput) PQconsumeInput;
  decltype(&::PQerrorMessage) PQerrorMessage;
  decltype(&::PQexec) PQexec;
  decltype(&::PQexecParams) PQexecParams;
  decltype(&::PQexecPrepared) PQexecPrepared;
  decltype(&::PQfinish) PQfinish;
  decltype(&::PQfname) PQfname;
  decltype(&::PQftype) PQftype;
  decltype(&::PQgetisnull) PQgetisnull;
  decltype(&::PQgetlength) PQgetlength;
  decltype(&::PQgetvalue) PQgetvalue;
  decltype(&::PQnfields) PQnfields;
  decltype(&::PQntuples) PQntuples;
  decltype(&::PQparameterStatus) PQparameterStatus;
  decltype(&::PQprepare) PQprepare;
  decltype(&::PQputCopyData) PQputCopyData;
  decltype(&::PQputCopyEnd) PQputCopyEnd;
  decltype(&::PQresultErrorField) PQresultErrorField;
  decltype(&::PQresultStatus) PQresultStatus;
  decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
  decltype(&::PQsocket) PQsocket;
  decltype(&::PQstatus) PQstatus;
  decltype(&::PQtransactionStatus) PQtransactionStatus;
  decltype(&::PQgetResult) PQgetResult;
  // Pipeline mode, new in libpq 14: null with an older libpq, whose batches then send one
  // statement at a time.
  decltype(&::PQenterPipelineMode) PQenterPipelineMode;
  decltype(&::PQexitPipelineMode) PQexitPipelineMode;
  decltype(&::PQpipelineSync) PQpipelineSync;
  decltype(&::PQsendQueryParams) PQsendQueryParams;
  decltype(&::PQsendPrepare) PQsendPrepare;
  decltype(&::PQsendQueryPrepared) PQsendQueryPrepared;
};

// Loads libpq (thread-safe). Throws OperationalError naming `url` (masked) and saying which
// package to install when it cannot be loaded; later calls try again.
const LibPq& load_libpq(std::string_view url);

// Set once libpq is loaded.
inline std::atomic<const LibPq*> loaded_libpq{nullptr};

// libpq, loaded on first use. Inline: reading a row calls it for every value.
inline const LibPq& libpq(std::string_view url = "") {
  if (const LibPq* pq = loaded_libpq.load(std::memory_order_acquire)) return *pq;
  return load_libpq(url);
}

}  // namespace strata::driver::postgres
