#include "agent/mapping/loader.h"

#include <filesystem>
#include <memory>
#include <optional>

#include "agent/mapping/builder.h"
#include "agent/mapping/document.h"
#include "agent/mapping/embedded.h"
#include "agent/mapping/files.h"
#include "agent/mapping/structure.h"

namespace ferry {

namespace {

constexpr char kDefaultFolder[] = "taskapp";
constexpr char kDefaultFile[] = "taskapp/mapping.yaml";

// Parse, check the structure, then build (which checks the rest and compiles the schemas).
Result<Mapping> Load(const std::string& yaml, const std::string& name, const MappingFiles& files) {
  FERRY_ASSIGN_OR_RETURN(MappingDocument doc, MappingDocument::Parse(yaml, name));
  FERRY_RETURN_IF_ERROR(CheckMappingStructure(doc));
  return BuildMapping(doc, files);
}

}  // namespace

Result<Mapping> LoadMappingFile(const std::string& path) {
  Result<std::string> text = ReadMappingFile(path);
  if (!text.ok()) {
    return Status::InvalidArgument("cannot read the mapping: " + text.status().message());
  }
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  return Load(*text, path, *NewDiskMappingFiles(base_dir));
}

Result<Mapping> LoadDefaultMapping() {
  std::optional<std::string_view> text = FindEmbeddedMappingFile(kDefaultFile);
  if (!text) {
    return Status::Internal("the bundled mapping (taskapp/mapping.yaml) is not embedded in ferry");
  }
  // Built by append: GCC 12 warns falsely (-Warray-bounds) on "literal" + std::string here.
  std::string name = "<embedded>/";
  name.append(kDefaultFile);
  FERRY_ASSIGN_OR_RETURN(Mapping mapping,
                         Load(std::string(*text), name, *NewEmbeddedMappingFiles(kDefaultFolder)));
  mapping.file = "<embedded>";
  return mapping;
}

Result<Mapping> LoadMappingText(const std::string& yaml, const std::string& name,
                                const std::string& base_dir) {
  return Load(yaml, name, *NewDiskMappingFiles(base_dir));
}

}  // namespace ferry
