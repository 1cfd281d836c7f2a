# The fuzz entry points (tests/fuzz/fuzz_<name>.cpp). Shared by tests/fuzz/CMakeLists.txt (libFuzzer
# builds, -DSMX_FUZZ=ON with clang) and tests/CMakeLists.txt (corpus replay in every build).
set(SMX_FUZZ_TARGETS framer charset message path ssmix2_name stream lab)
# The UCUM engine lands separately; fuzz it once both its entry point and its sources exist.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/fuzz_ucum.cpp AND EXISTS ${PROJECT_SOURCE_DIR}/lib/src/units/ucum.cpp)
  list(APPEND SMX_FUZZ_TARGETS ucum)
endif()
