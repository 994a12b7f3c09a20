// ContentHash: a short fingerprint of a row, kept in the id map so that a re-run can tell an
// unchanged record from a changed one without reading the row back.
//
// Pure function, thread-safe (libsodium's BLAKE2b).
#pragma once

#include <string>

#include "base/row.h"

namespace ferry {

// 32 lowercase hex characters (128-bit BLAKE2b) over the cells, types included.
std::string ContentHash(const Row& row);

}  // namespace ferry
