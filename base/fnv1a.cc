#include "base/fnv1a.h"

#include <cstdio>

namespace ferry {

std::string Fnv1a64::Hex() const {
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash_));
  return hex;
}

}  // namespace ferry
