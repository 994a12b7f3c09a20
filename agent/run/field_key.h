// The field key of `sensitive: encrypt` (docs/mapping.md, docs/security.md): read from
// FERRY_FIELD_KEY (64 hex digits, 32 bytes) when the mapping encrypts a field, and handed to
// the entities that do as their sealer (transformers/field_seal.h). Never printed.
//
// Thread safety: called once per run, before any worker starts.
#pragma once

#include <functional>

#include "base/status.h"
#include "transformers/mapping.h"

namespace ferry {

// Sets the sealer of every entity of `mapping` with an encrypted field, from `get_env`
// ("FERRY_FIELD_KEY"; default std::getenv). InvalidArgument (exit 2, before anything is
// written) naming the entity and field when the key is missing or not 64 hex digits; OK and
// nothing read when no field is encrypted.
Status AttachFieldKey(Mapping* mapping,
                      const std::function<const char*(const char*)>& get_env = nullptr);

}  // namespace ferry
