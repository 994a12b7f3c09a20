// FileSequenceExtractor: the part of the file-based extractors (dump, json, ndjson) that walks
// the files of a source, one unit per file, holding only the current file.
//
// The source path is a file, or a folder whose matching files are read in name order
// (ListSourceFiles). A subclass reads one file at a time: StartFile() then ReadEntry() until
// it says the file is done.
//
// When a file turns out not to be what it claims (Corruption) the iteration ends with that
// status if the source is that one file. If the source is a folder (a server run over
// thousands of users' dumps), the corruption is reported for that file and the next file is
// read, because the other units are fine; entries of the bad file already yielded stay
// yielded. Any other failure (a file gone, permission denied) ends the iteration.
//
// Thread safety: as Extractor; one thread at a time.
#pragma once

#include <string_view>
#include <vector>

#include "extractors/common/source_files.h"
#include "extractors/extractor.h"

namespace ferry {

class FileSequenceExtractor : public Extractor {
 public:
  Status Open() final;
  bool Valid() const final { return valid_; }
  const Entry& entry() const final { return entry_; }
  void Next() final;
  Status status() const final { return status_; }
  SizeHint ExpectedSize() const final { return size_; }
  SourceUnits Units() const final;

 protected:
  // `extensions` select a folder's files (".json").
  FileSequenceExtractor(SourceSpec spec, std::vector<std::string_view> extensions);

  const SourceSpec& spec() const { return spec_; }

  // Starts reading `file`, dropping whatever the previous file left.
  virtual Status StartFile(const SourceFile& file) = 0;

  // Fills *entry with the current file's next entry and returns true, or returns false at the
  // end of the file. After a failure the file is abandoned.
  virtual Result<bool> ReadEntry(Entry* entry) = 0;

  // Releases the current file's memory; called when it is done or abandoned.
  virtual void FinishFile() = 0;

  // True when each file is one user's whole store (a dump), named by its file stem
  // (Entry::user_hint); false when files are parts of one export (records of one entity).
  virtual bool FilesAreStores() const { return false; }

 private:
  // Moves to the next entry of this or a later file; sets valid_ and status_.
  void Advance();
  // Handles a failure of the current file; false when the iteration must end.
  bool SkipFailedFile(const Status& failure);

  const SourceSpec spec_;
  const std::vector<std::string_view> extensions_;
  SourceFiles files_;
  size_t next_file_ = 0;    // index in files_.files of the file to start next
  bool file_open_ = false;  // a file was started and not finished
  bool valid_ = false;
  Entry entry_;
  Status status_;
  SizeHint size_;
};

}  // namespace ferry
