// Where the tests find the source tree and the ferry binary.
//
// The paths are compiled into test_paths.cc alone, so that every other test file compiles to the
// same object in any checkout: a compiler cache then serves a fresh clone (as CI makes) too.
#pragma once

namespace ferry::test_paths {

// The repository root this test binary was built from (CMAKE_SOURCE_DIR).
extern const char* const kSourceDir;
// The ferry binary built beside this test binary.
extern const char* const kFerryBinary;

}  // namespace ferry::test_paths

#define FERRY_SOURCE_DIR (::ferry::test_paths::kSourceDir)
#define FERRY_BINARY (::ferry::test_paths::kFerryBinary)
