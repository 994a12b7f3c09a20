#include "agent/mapping/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "agent/mapping/document.h"
#include "agent/mapping/embedded.h"

namespace ferry {

namespace {

class DiskMappingFiles final : public MappingFiles {
 public:
  explicit DiskMappingFiles(std::string base_dir) : base_dir_(std::move(base_dir)) {}

  Result<std::string> Read(const std::string& name, std::string* resolved) const override {
    std::filesystem::path path(name);
    if (path.is_relative() && !base_dir_.empty()) {
      path = std::filesystem::path(base_dir_) / path;
    }
    *resolved = path.lexically_normal().string();
    return ReadMappingFile(*resolved);
  }

 private:
  std::string base_dir_;
};

class EmbeddedFiles final : public MappingFiles {
 public:
  explicit EmbeddedFiles(std::string folder) : folder_(std::move(folder)) {}

  Result<std::string> Read(const std::string& name, std::string* resolved) const override {
    std::string full = folder_.empty() ? name : folder_ + "/" + name;
    *resolved = "<embedded>/" + full;
    std::optional<std::string_view> text = FindEmbeddedMappingFile(full);
    if (!text) {
      return Status::InvalidArgument(QuoteMappingText(*resolved) +
                                     ": no such file embedded in ferry");
    }
    return std::string(*text);
  }

 private:
  std::string folder_;
};

}  // namespace

std::unique_ptr<MappingFiles> NewDiskMappingFiles(std::string base_dir) {
  return std::make_unique<DiskMappingFiles>(std::move(base_dir));
}

std::unique_ptr<MappingFiles> NewEmbeddedMappingFiles(std::string folder) {
  return std::make_unique<EmbeddedFiles>(std::move(folder));
}

Result<std::string> ReadMappingFile(const std::string& path) {
  std::error_code ec;
  std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec) {
    return Status::InvalidArgument(QuoteMappingText(path) + ": " + ec.message());
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Status::InvalidArgument(QuoteMappingText(path) + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument(QuoteMappingText(path) + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > MappingFiles::kMaxFileBytes) {
      return Status::InvalidArgument(QuoteMappingText(path) + ": larger than " +
                                     std::to_string(MappingFiles::kMaxFileBytes) + " bytes");
    }
  }
  if (in.bad()) {
    return Status::InvalidArgument(QuoteMappingText(path) + ": read error");
  }
  return text;
}

}  // namespace ferry
