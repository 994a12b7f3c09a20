#include "extractors/common/file_sequence_extractor.h"

namespace ferry {

FileSequenceExtractor::FileSequenceExtractor(SourceSpec spec,
                                             std::vector<std::string_view> extensions)
    : spec_(std::move(spec)), extensions_(std::move(extensions)) {}

Status FileSequenceExtractor::Open() {
  Result<SourceFiles> files = ListSourceFiles(spec_.path, extensions_);
  if (!files.ok()) {
    status_ = files.status();
    return status_;
  }
  files_ = std::move(files).value();
  size_.units = files_.files.size();
  for (const SourceFile& file : files_.files) {
    size_.bytes += file.size;
  }
  Advance();
  // A source that is one unreadable file fails here rather than looking empty.
  return status_;
}

SourceUnits FileSequenceExtractor::Units() const {
  SourceUnits units;
  units.separate_stores = FilesAreStores();
  for (const SourceFile& file : files_.files) {
    units.names.push_back(file.path);
    units.user_hints.push_back(units.separate_stores ? FileStem(file.path) : "");
  }
  return units;
}

void FileSequenceExtractor::Next() {
  if (valid_) {
    Advance();
  }
}

void FileSequenceExtractor::Advance() {
  valid_ = false;
  while (true) {
    if (!file_open_) {
      if (next_file_ >= files_.files.size()) {
        return;
      }
      const SourceFile& file = files_.files[next_file_++];
      file_open_ = true;
      // A link, FIFO or device in a folder is never opened (source_files.h).
      Status started = file.refused.ok() ? StartFile(file) : file.refused;
      if (!started.ok()) {
        if (!SkipFailedFile(started)) {
          return;
        }
        continue;
      }
    }
    Result<bool> read = ReadEntry(&entry_);
    if (!read.ok()) {
      if (!SkipFailedFile(read.status())) {
        return;
      }
      continue;
    }
    if (*read) {
      valid_ = true;
      return;
    }
    FinishFile();
    file_open_ = false;
  }
}

bool FileSequenceExtractor::SkipFailedFile(const Status& failure) {
  FinishFile();
  file_open_ = false;
  if (files_.from_folder && failure.IsCorruption()) {
    Location where;
    where.file = files_.files[next_file_ - 1].path;
    Report(where, failure);
    return true;
  }
  status_ = failure;
  next_file_ = files_.files.size();
  return false;
}

}  // namespace ferry
