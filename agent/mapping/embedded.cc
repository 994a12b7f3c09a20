#include "agent/mapping/embedded.h"

namespace ferry {

std::optional<std::string_view> FindEmbeddedMappingFile(std::string_view name) {
  for (const EmbeddedFile& file : EmbeddedMappingFiles()) {
    if (file.name == name) {
      return file.text;
    }
  }
  return std::nullopt;
}

}  // namespace ferry
