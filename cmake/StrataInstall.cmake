# `cmake --install` puts the libraries, the headers, a CMake package with one component per
# library (find_package(strata COMPONENTS orm migrate)) and a pkg-config file per library.
# The strata binary installs itself (tools/strata); nothing else of the tree is installed.
include(CMakePackageConfigHelpers)

set(STRATA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/strata)
set(STRATA_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(DIRECTORY include/strata DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# One export set per component, so that find_package(strata COMPONENTS core) reads nothing of
# the others and needs none of their dependencies.
function(strata_install_component target component)
  install(TARGETS ${target} EXPORT strata-${component}-targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT strata-${component}-targets NAMESPACE strata::
    DESTINATION ${STRATA_CMAKE_DIR})
endfunction()
strata_install_component(strata_core core)
strata_install_component(strata_orm orm)
strata_install_component(strata_migrate migrate)
strata_install_component(strata_cli_lib cli)
strata_install_component(strata all)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/strataConfig.cmake.in
  ${PROJECT_BINARY_DIR}/strataConfig.cmake INSTALL_DESTINATION ${STRATA_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/strataConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/strataConfig.cmake
  ${PROJECT_BINARY_DIR}/strataConfigVersion.cmake DESTINATION ${STRATA_CMAKE_DIR})

# pkg-config: the prefix is found from the .pc file's own folder, so that
# `cmake --install --prefix` anywhere gives working files. A static archive's dependencies are
# the consumer's to link (Requires); a shared library's are its own (Requires.private).
file(RELATIVE_PATH STRATA_PC_TO_PREFIX /${STRATA_PKGCONFIG_DIR} /)
if(BUILD_SHARED_LIBS)
  set(STRATA_PC_SYSTEM_LIBS "")
else()
  set(STRATA_PC_SYSTEM_LIBS "-ldl -lpthread")
endif()
# `strata` names strata's own libraries, which a program always links; `others` the outside
# ones, which only a static archive leaves to the program.
function(strata_pkgconfig name description libs strata others)
  set(STRATA_PC_NAME ${name})
  set(STRATA_PC_DESCRIPTION ${description})
  set(STRATA_PC_LIBS ${libs})
  if(BUILD_SHARED_LIBS)
    set(STRATA_PC_REQUIRES "Requires: ${strata}\nRequires.private: ${others}")
  else()
    string(JOIN ", " all ${strata} ${others})
    string(REGEX REPLACE "^, |, $" "" all "${all}")
    set(STRATA_PC_REQUIRES "Requires: ${all}")
  endif()
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/strata.pc.in
    ${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc DESTINATION ${STRATA_PKGCONFIG_DIR})
endfunction()
strata_pkgconfig(strata-core "strata: engine, connections, schema, SQL expressions"
  "-lstrata_core ${STRATA_PC_SYSTEM_LIBS}" "" "sqlite3, fmt")
strata_pkgconfig(strata-orm "strata: the ORM" "-lstrata_orm" "strata-core" "fmt")
strata_pkgconfig(strata-migrate "strata: migrations and autogenerate" "-lstrata_migrate"
  "strata-core" "fmt, yaml-0.1, yaml-cpp, nettle")
strata_pkgconfig(strata-cli "strata: the embeddable command line" "-lstrata_cli" "strata-migrate"
  "fmt")
strata_pkgconfig(strata "strata: every library" "" "strata-cli, strata-orm" "")
