# The ORM's tests: one binary on both backends, plus compile-time checks (try_compile) that
# models and conditions of the wrong types are rejected.
strata_test(orm_tests
  orm/session_test.cpp
  orm/model_test.cpp
  orm/query_test.cpp
  orm/docs_examples_test.cpp
  orm/read_session_test.cpp
  orm/standby_test.cpp
  orm/mapper_sql_test.cpp
  orm/bulk_read_test.cpp
  orm/flush_batch_test.cpp
  orm/spare_test.cpp)
target_compile_definitions(orm_tests PRIVATE STRATA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# GCC before 13 warns about members left out of a designated initializer even when they have
# default member initializers; `Item{.title = "x"}` is the ORM's intended style.
target_compile_options(orm_tests PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-missing-field-initializers>)

strata_must_not_compile(orm)

# standby_test.cpp stops the standby scripts/with-postgres runs, and pauses its replay: no other
# binary that uses the standby may run meanwhile.
set_tests_properties(orm_tests PROPERTIES RESOURCE_LOCK pg_standby)
