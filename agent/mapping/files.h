// MappingFiles: where a mapping's companion files (its JSON Schemas) are read from: a folder
// on disk (the mapping file's) or the copies embedded in the binary (the default mapping).
//
// Thread safety: Read() is const and touches no shared state.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace ferry {

class MappingFiles {
 public:
  // A schema or mapping file larger than this is refused, not read (a mistaken /dev/zero).
  static constexpr size_t kMaxFileBytes = 8 << 20;

  MappingFiles() = default;
  MappingFiles(const MappingFiles&) = delete;
  MappingFiles& operator=(const MappingFiles&) = delete;
  virtual ~MappingFiles() = default;

  // Reads the file `name` names, relative to the mapping's folder (or absolute), and sets
  // `*resolved` to the name it was found under. InvalidArgument naming it when it cannot.
  virtual Result<std::string> Read(const std::string& name, std::string* resolved) const = 0;
};

// Files of the folder `base_dir` ("" = the current directory).
std::unique_ptr<MappingFiles> NewDiskMappingFiles(std::string base_dir);

// Embedded files below `folder` ("taskapp"); mapping_embedded.h.
std::unique_ptr<MappingFiles> NewEmbeddedMappingFiles(std::string folder);

// Reads a whole regular file of at most MappingFiles::kMaxFileBytes.
Result<std::string> ReadMappingFile(const std::string& path);

}  // namespace ferry
