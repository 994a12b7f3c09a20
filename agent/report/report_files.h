// The files --report writes: each FILE is the report as JSON, or as an HTML page when its name
// ends in .html or .htm, so --report may be given twice, once for each.
//
// Thread safety: free functions; WriteReportFile touches the file system only.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

struct ReportFiles {
  std::string json;  // empty: none asked for
  std::string html;
};

// True when `path` names an HTML report (.html or .htm, any case).
bool IsHtmlReportPath(const std::string& path);

// `files` (--report, in the order given) sorted by kind. InvalidArgument (exit 2) when two
// name the same kind.
Result<ReportFiles> SortReportFiles(const std::vector<std::string>& files);

// Writes `text` to `path` whole or not at all (a temporary file beside it, renamed over it),
// created 0600 (an older file's mode too): a report names the sources and users
// (docs/security.md). A device or pipe (`--report /dev/stdout`) is written in place. IOError
// naming the file and the cause (a full disk: "No space left on device").
Status WriteReportFile(const std::string& path, const std::string& text);

}  // namespace ferry
