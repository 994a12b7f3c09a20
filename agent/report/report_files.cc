#include "agent/report/report_files.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "agent/export/atomic_file.h"
#include "base/private_file.h"

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

namespace {

// Writes `text` into the device or pipe at `path` (--report /dev/stdout), which no temporary
// file can be renamed over.
Status WriteInPlace(const std::string& path, const std::string& text) {
  int fd = OpenPrivateFile(path, /*append=*/false);
  if (fd < 0) {
    return Status::IOError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error_number = n < 0 ? errno : EIO;
      ::close(fd);
      return Status::IOError(fmt::format("cannot write {}: {}", path, std::strerror(error_number)));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return Status::IOError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return Status::OK();
}

}  // namespace

Status WriteReportFile(const std::string& path, const std::string& text) {
  struct stat existing;
  bool exists = ::stat(path.c_str(), &existing) == 0;
  if (exists && !S_ISREG(existing.st_mode)) return WriteInPlace(path, text);
  Result<std::unique_ptr<AtomicFile>> file = AtomicFile::Create(path);
  if (!file.ok()) return file.status();
  (*file)->stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  return (*file)->Commit();
}

}  // namespace ferry
