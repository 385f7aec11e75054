# tests/fuzz: fuzz targets.  The convention every target follows (replay
# build always, registered as a test over tests/fuzz/corpus/NAME/; libFuzzer
# build with -DAIRLOCK_FUZZ=ON) is airlock_fuzz_target() in
# cmake/AirlockFuzz.cmake, which tests/CMakeLists.txt includes first.

# catalog: the reader (alc_format) and the verify checks.  cc_verify.c is
# built here from its own source rather than taken from cc_core, so the
# target does not depend on the rest of the compiler building.
add_library(fuzz_catalog_verify STATIC ${CMAKE_SOURCE_DIR}/compiler/cc_verify.c)
target_include_directories(fuzz_catalog_verify PUBLIC
                           ${CMAKE_SOURCE_DIR}/compiler)
target_link_libraries(fuzz_catalog_verify PUBLIC alc_format PkgConfig::XXHASH)
airlock_fuzz_target(catalog fuzz_catalog_verify alc_format PkgConfig::XXHASH)
