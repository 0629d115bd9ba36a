# Autogenerate, check, lint and verify, with the migrate pieces they brought: inverse
# operations and the revision-file writer.
target_sources(strata PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/autogen/compare.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/autogen/describe.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/autogen/diff_table.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/autogen/lint.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/autogen/normalize.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/autogen/verify.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/migrate/inverse.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/migrate/revision_writer.cpp)
