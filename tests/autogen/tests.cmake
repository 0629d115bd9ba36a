# Autogenerate, the revision writer, inverse operations, check, lint and verify.
strata_test(autogen_tests
  autogen/writer_test.cpp
  autogen/compare_test.cpp
  autogen/lint_test.cpp
  autogen/normalize_test.cpp
  autogen/verify_test.cpp)
target_sources(autogen_tests PRIVATE autogen/lint_locks_test.cpp)
target_sources(autogen_tests PRIVATE autogen/lint_locks_db_test.cpp)
