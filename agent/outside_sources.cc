#include "agent/outside_sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace ferry {

Status CheckOutsideSources(const std::string& what, const std::string& out_file,
                           const std::vector<SourceSpec>& specs) {
  std::error_code error;
  // Made absolute first: weakly_canonical leaves a relative path with no existing first part
  // as it is ("ferry-rejects-X.ndjson"), which would never match a source.
  std::filesystem::path out =
      std::filesystem::weakly_canonical(std::filesystem::absolute(out_file, error), error);
  if (error) return Status::OK();
  for (const SourceSpec& spec : specs) {
    std::filesystem::path source =
        std::filesystem::weakly_canonical(std::filesystem::absolute(spec.path, error), error);
    if (error) continue;
    auto [source_end, out_at] = std::mismatch(source.begin(), source.end(), out.begin(), out.end());
    if (source_end == source.end()) {
      return Status::InvalidArgument(
          fmt::format("{} {} is the source {} or inside it: ferry never writes to a source", what,
                      out_file, spec.path));
    }
  }
  return Status::OK();
}

}  // namespace ferry
