#include "tests/test_paths.h"

namespace ferry::test_paths {

const char* const kSourceDir = FERRY_SOURCE_DIR_VALUE;
const char* const kFerryBinary = FERRY_BINARY_VALUE;

}  // namespace ferry::test_paths
