#include "agent/report/report_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "agent/export/atomic_file.h"

namespace ferry {

bool IsHtmlReportPath(const std::string& path) {
  size_t dot = path.find_last_of("./");
  if (dot == std::string::npos || path[dot] != '.') return false;
  std::string extension = path.substr(dot + 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == "html" || extension == "htm";
}

Result<ReportFiles> SortReportFiles(const std::vector<std::string>& files) {
  ReportFiles sorted;
  for (const std::string& file : files) {
    bool html = IsHtmlReportPath(file);
    std::string& slot = html ? sorted.html : sorted.json;
    if (!slot.empty()) {
      return Status::InvalidArgument(fmt::format(
          "--report {} and --report {}: both are {} reports; give at most one JSON file and one "
          "HTML file (.html)",
          slot, file, html ? "HTML" : "JSON"));
    }
    slot = file;
  }
  return sorted;
}

Status WriteReportFile(const std::string& path, const std::string& text) {
  Result<std::unique_ptr<AtomicFile>> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  (*file)->stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  return (*file)->Commit();
}

}  // namespace ferry
