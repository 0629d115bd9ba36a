# Warnings for strata's own targets; errors only when STRATA_WERROR is on (the project's own
# test and CI builds), never by default for a consumer.
function(strata_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    # GCC 12's -Wrestrict fires inside libstdc++'s own std::string operator+ at -O3 (GCC bug
    # 105651, fixed in 13): a Release build would fail on standard library code.
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
    # Clang checks the locking annotations of core/thread_annotations.hpp.
    $<$<CXX_COMPILER_ID:Clang,AppleClang>:-Wthread-safety>)
  if(STRATA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
