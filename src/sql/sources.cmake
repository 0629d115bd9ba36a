# The SQL expression layer: expressions, statements, their compiler and execution.
target_sources(strata PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sql/compiler.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sql/execute.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sql/expression.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sql/render_statement.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/sql/statement.cpp)
