# The production topology scripts/with-postgres starts beside the primary: its streaming standby
# and PgBouncer in transaction pooling mode. PostgreSQL only.
strata_test(topology_tests topology/topology_fixture.cpp topology/pgbouncer_test.cpp
  topology/standby_test.cpp)
# It stops the standby for a while: a test binary that reads from the standby takes this lock too.
set_tests_properties(topology_tests PROPERTIES TIMEOUT 300 RESOURCE_LOCK pg_standby)
# Replicas of the reference backend started together: its built binary, run as backend_tests do.
if(TARGET backend)
  target_sources(topology_tests PRIVATE backend/backend_process.cpp
    topology/migrate_together_test.cpp topology/replica_backend_test.cpp)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  target_link_libraries(topology_tests PRIVATE PkgConfig::HTTPLIB)
  add_dependencies(topology_tests backend)
  target_compile_definitions(topology_tests PRIVATE BACKEND_PATH="$<TARGET_FILE:backend>"
    STRATA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
