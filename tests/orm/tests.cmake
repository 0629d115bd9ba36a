# The ORM's tests: one binary on both backends, plus compile-time checks (try_compile) that
# models and conditions of the wrong types are rejected.
strata_test(orm_tests
  orm/session_test.cpp
  orm/query_test.cpp)
# GCC before 13 warns about members left out of a designated initializer even when they have
# default member initializers; `Item{.title = "x"}` is the ORM's intended style.
target_compile_options(orm_tests PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-missing-field-initializers>)
