#include "extractors/common/json_position.h"

#include "extractors/common/json_error.h"

namespace ferry {

bool AtEnd(simdjson::ondemand::document& doc) {
  const char* location = nullptr;
  // current_location() fails (OUT_OF_BOUNDS) once every token has been consumed.
  return doc.current_location().get(location) != simdjson::SUCCESS;
}

Status CorruptionHere(const std::string& file, std::string_view text,
                      simdjson::ondemand::document& doc, simdjson::error_code error) {
  const char* location = nullptr;
  int64_t offset = static_cast<int64_t>(text.size());
  if (doc.current_location().get(location) == simdjson::SUCCESS && location >= text.data() &&
      location <= text.data() + text.size()) {
    offset = location - text.data();
  } else if (int64_t known = LocateWholeTextError(text, error); known >= 0) {
    offset = known;
  }
  return JsonCorruption(file, text, offset, error);
}

}  // namespace ferry
