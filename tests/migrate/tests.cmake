# Test files of the migrate layer added after its two binaries were declared in
# tests/CMakeLists.txt: migrate_tests (no database) and migrate_db_tests (both backends).
target_sources(migrate_tests PRIVATE migrate/primary_key_test.cpp)
target_sources(migrate_db_tests PRIVATE migrate/new_keys_db_test.cpp)
target_sources(migrate_tests PRIVATE migrate/dialects_test.cpp)
target_sources(migrate_tests PRIVATE migrate/check_name_test.cpp)
target_sources(migrate_db_tests PRIVATE migrate/executor_db_test.cpp)
target_sources(migrate_tests PRIVATE migrate/statement_limits_test.cpp)
target_sources(migrate_db_tests PRIVATE migrate/lock_timeout_db_test.cpp)
target_sources(migrate_db_tests PRIVATE migrate/pooled_runner_db_test.cpp)
target_sources(migrate_db_tests PRIVATE migrate/not_valid_db_test.cpp)
target_sources(migrate_tests PRIVATE migrate/yaml_tree_test.cpp)
target_sources(migrate_db_tests PRIVATE migrate/generated_db_test.cpp)
