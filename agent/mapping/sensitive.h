// The rules of `sensitive: {PATH: drop | encrypt}` across an entity's keys (docs/mapping.md,
// "sensitive"), checked when the mapping is read, so that no run meets a column that cannot
// hold what the rule stores.
//
// Thread safety: pure.
#pragma once

#include <string>

#include "transformers/mapping.h"

namespace ferry {

// Why `entity`'s sensitive_drop and sensitive_encrypt cannot be, or empty when they can:
// `encrypt` needs a $ulid column (the sealed value is bound to the row's ULID); a column read
// from an encrypted field must be text or json, without map or references; no column may read
// a dropped field, or read inside a dropped or encrypted one (it would store what the rule
// keeps out).
std::string SensitiveRefusal(const EntityMapping& entity);

}  // namespace ferry
