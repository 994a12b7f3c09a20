// The mapping loader: YAML syntax, the structure against schemas/mapping.schema.json, the
// rules across keys, and each entity's schema compiled. The input is the mapping file; its
// schema files resolve in a scratch folder holding the bundled task and environment schemas.
#include <string>

#include "agent/mapping/loader.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(mapping_yaml) {
  static const ferry::fuzz::ScratchDir dir;
  static const bool schemas_written = [] {
    // Small stand-ins for the bundled schemas: the names the seeds use, one of each shape.
    dir.Write("task.schema.json",
              R"({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                  "required": ["id", "title"],
                  "properties": {"id": {"type": ["string", "integer"]},
                                 "title": {"type": "string", "maxLength": 500},
                                 "createdAt": {"type": "string", "format": "date-time"}}})");
    dir.Write("environment.schema.json",
              R"({"type": "object", "properties": {"id": {}, "name": {"type": "string"}}})");
    dir.Write("note.schema.json", R"({"type": "object"})");
    return true;
  }();
  (void)schemas_written;
  std::string yaml(reinterpret_cast<const char*>(data), size);
  auto mapping = ferry::LoadMappingText(yaml, "fuzz.yaml", dir.path());
  return 0;
}
