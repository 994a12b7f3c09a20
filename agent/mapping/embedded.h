// Embedded mapping files: schemas/mapping.schema.json and schemas/taskapp/*, compiled into the
// binary at build time (agent/mapping/embed.cmake writes mapping_embedded_data.cc), so that the
// default mapping and the meta-schema need no files at run time.
//
// Thread safety: read-only static data.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ferry {

struct EmbeddedFile {
  std::string_view name;  // path below schemas/: "mapping.schema.json", "taskapp/mapping.yaml"
  std::string_view text;  // the file's bytes
};

// Every embedded file, sorted by name (defined in the generated mapping_embedded_data.cc).
std::span<const EmbeddedFile> EmbeddedMappingFiles();

// The text of the embedded file `name`, or nullopt.
std::optional<std::string_view> FindEmbeddedMappingFile(std::string_view name);

}  // namespace ferry
