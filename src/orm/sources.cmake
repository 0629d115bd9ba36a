# The ORM: mapped structs, the Session (identity map, unit of work) and its queries.
target_sources(strata PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/src/orm/arena.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/orm/flush.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/orm/identity_map.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/orm/mapper.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/orm/query.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/orm/session.cpp)
