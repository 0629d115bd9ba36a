# The reference backend end to end: its built binary on SQLite and PostgreSQL, under load, and
# its container files.
if(TARGET backend)
  strata_test(backend_tests
    backend/backend_process.cpp
    backend/backend_fixture.cpp
    backend/api_test.cpp
    backend/startup_test.cpp
    backend/load_test.cpp
    backend/models_test.cpp
    backend/docker_test.cpp)
  # The tests' own HTTP client. Debian's cpp-httplib is a compiled library: its pkg-config flags
  # (OpenSSL, zlib, brotli) must match the ones it was built with.
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  target_link_libraries(backend_tests PRIVATE backend_app yaml-cpp PkgConfig::HTTPLIB)
  add_dependencies(backend_tests backend)
  target_compile_definitions(backend_tests PRIVATE BACKEND_PATH="$<TARGET_FILE:backend>"
    STRATA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set_tests_properties(backend_tests PROPERTIES TIMEOUT 300)
endif()
