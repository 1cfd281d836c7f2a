# The fuzz entry points (tests/fuzz/fuzz_<name>.cpp). Shared by tests/fuzz/CMakeLists.txt (libFuzzer
# builds, -DSMX_FUZZ=ON with clang) and tests/CMakeLists.txt (corpus replay in every build).
set(SMX_FUZZ_TARGETS framer charset message path ssmix2_name stream lab ucum tables labnorm deid_profile link_normalize link_encodings cohort_criteria report_inputs qi_inputs)
