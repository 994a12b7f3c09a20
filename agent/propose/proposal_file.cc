#include "agent/propose/proposal_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "agent/export/atomic_file.h"

namespace ferry {

namespace {

Status Taken(const std::string& file) {
  return Status::InvalidArgument(fmt::format(
      "--propose-mapping {}: the file exists; not replaced (remove it, or give another name, "
      "or - for standard output)",
      file));
}

}  // namespace

Status CheckProposalFile(const std::string& file) {
  if (file == "-") return Status::OK();
  std::error_code error;
  if (std::filesystem::symlink_status(file, error).type() !=
      std::filesystem::file_type::not_found) {
    return error && error != std::errc::no_such_file_or_directory ? Status::OK() : Taken(file);
  }
  return Status::OK();
}

Status WriteProposalFile(const std::string& file, const std::string& yaml, std::ostream& out) {
  if (file == "-") {
    out << yaml;
    out.flush();
    return out ? Status::OK() : Status::IOError("cannot write the mapping to standard output");
  }
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFile> written, AtomicFile::Create(file));
  written->stream() << yaml;
  Status committed = written->CommitWithoutReplacing();
  if (committed.IsInvalidArgument()) return Taken(file);
  return committed;
}

}  // namespace ferry
