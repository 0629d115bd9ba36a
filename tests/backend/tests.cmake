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
    backend/docker_test.cpp
    backend/openapi_test.cpp
    backend/raw_http.cpp
    backend/hostile_test.cpp
    backend/hostile_clients_test.cpp)
  # The tests' own HTTP client. Debian's cpp-httplib is a compiled library: its pkg-config flags
  # (OpenSSL, zlib, brotli) must match the ones it was built with.
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  target_link_libraries(backend_tests PRIVATE backend_app yaml-cpp PkgConfig::HTTPLIB)
  add_dependencies(backend_tests backend)
  target_sources(backend_tests PRIVATE backend/pooled_startup_test.cpp)
  target_compile_definitions(backend_tests PRIVATE BACKEND_PATH="$<TARGET_FILE:backend>"
    STRATA_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  # The sanitizers slow the server and its 32-client load tests several times over.
  if(STRATA_SANITIZE OR STRATA_TSAN)
    set_tests_properties(backend_tests PROPERTIES TIMEOUT 1200)
  else()
    set_tests_properties(backend_tests PROPERTIES TIMEOUT 300)
  endif()

  # openapi_test.cpp's validator: the npm packages pinned by backend/openapi/package-lock.json,
  # installed once into the build tree (again only when the package files change).
  find_program(STRATA_NODE node)
  find_program(STRATA_NPM npm)
  if(NOT STRATA_NODE OR NOT STRATA_NPM)
    message(FATAL_ERROR "backend_tests needs node and npm: run scripts/bootstrap test")
  endif()
  set(openapi_src ${CMAKE_CURRENT_SOURCE_DIR}/backend/openapi)
  set(openapi_dir ${CMAKE_BINARY_DIR}/openapi-validator)
  file(MAKE_DIRECTORY ${openapi_dir})
  configure_file(${openapi_src}/validate.mjs ${openapi_dir}/validate.mjs COPYONLY)
  add_custom_command(OUTPUT ${openapi_dir}/npm-ci.stamp
    COMMAND ${CMAKE_COMMAND} -E copy ${openapi_src}/package.json ${openapi_src}/package-lock.json
      ${openapi_dir}
    COMMAND ${STRATA_NPM} ci --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${openapi_dir}/npm-ci.stamp
    DEPENDS ${openapi_src}/package.json ${openapi_src}/package-lock.json
    WORKING_DIRECTORY ${openapi_dir}
    COMMENT "Installing the OpenAPI validator (npm ci) into ${openapi_dir}")
  add_custom_target(openapi_validator DEPENDS ${openapi_dir}/npm-ci.stamp)
  add_dependencies(backend_tests openapi_validator)
  target_compile_definitions(backend_tests PRIVATE NODE_EXECUTABLE="${STRATA_NODE}"
    OPENAPI_VALIDATOR="${openapi_dir}/validate.mjs")
endif()
