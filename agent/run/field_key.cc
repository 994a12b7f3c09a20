#include "agent/run/field_key.h"

#include <cstdlib>
#include <memory>

#include "transformers/field_seal.h"

namespace ferry {

Status AttachFieldKey(Mapping* mapping, const std::function<const char*(const char*)>& get_env) {
  std::shared_ptr<const FieldSealer> sealer;
  for (EntityMapping& entity : mapping->entities) {
    if (entity.sensitive_encrypt.empty()) continue;
    if (sealer == nullptr) {
      const char* hex = get_env ? get_env("FERRY_FIELD_KEY") : std::getenv("FERRY_FIELD_KEY");
      const std::string field = entity.name + "." + entity.sensitive_encrypt.front();
      if (hex == nullptr || *hex == '\0') {
        return Status::InvalidArgument(
            "the mapping encrypts " + field +
            " (sensitive: encrypt): set FERRY_FIELD_KEY to the field key, 64 hex digits "
            "(32 bytes; e.g. from `openssl rand -hex 32`, kept apart from the target)");
      }
      Result<FieldSealer> made = FieldSealer::FromHex(hex);
      if (!made.ok()) return made.status().WithContext("the mapping encrypts " + field);
      sealer = std::make_shared<const FieldSealer>(*made);
    }
    entity.sealer = sealer;
  }
  return Status::OK();
}

}  // namespace ferry
