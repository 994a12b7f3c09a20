// LevelDbReader: the live contents of a LevelDB folder, newest value of each key, in key
// order, read from the files themselves: CURRENT and the MANIFEST (live_files.h), the live
// tables with leveldb::Table (table_source.h) and the live logs (log_source.h), merged the
// way LevelDB merges them (the highest sequence number wins; a delete hides older puts).
//
// LevelDB's DB::Open is not used: it takes the LOCK and writes (it turns logs into tables),
// and it refuses a store with a damaged table or MANIFEST where ferry reads what is left.
// The folder read should still be a private copy (extractors/common/store_copy.h): a running
// browser may rewrite the original while it is read.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/location.h"
#include "base/result.h"
#include "extractors/chromium/sorted_source.h"
#include "extractors/extractor.h"

namespace ferry::chromium {

class LevelDbReader {
 public:
  // Reads the LevelDB folder `dir`; `display_dir` names the original folder in reports and
  // locations. Damage that leaves the rest readable goes to `reporter` as it is met (also
  // during Next()). Fails when the store cannot be read at all (live_files.h) or a file of
  // it cannot be opened.
  static Result<std::unique_ptr<LevelDbReader>> Open(const std::string& dir,
                                                     const std::string& display_dir,
                                                     CorruptionReporter reporter);

  // Merges `sources`; use Open().
  explicit LevelDbReader(std::vector<std::unique_ptr<SortedSource>> sources);
  LevelDbReader(const LevelDbReader&) = delete;
  LevelDbReader& operator=(const LevelDbReader&) = delete;
  ~LevelDbReader();

  // True while positioned at a live key.
  bool Valid() const { return current_ != nullptr; }
  // The user key and value, valid until Next(). REQUIRES: Valid()
  std::string_view key() const { return key_; }
  std::string_view value() const { return current_->value(); }
  // The table and block offset, or the log and record offset, it was read from.
  // REQUIRES: Valid()
  const Location& where() const { return current_->where(); }
  // Moves to the next live key. REQUIRES: Valid()
  void Next();

 private:
  // Positions at the smallest key whose newest entry is a put, skipping deleted keys.
  void FindNextLive();
  // Moves every source past the entries of key_.
  void SkipCurrentKey();

  std::vector<std::unique_ptr<SortedSource>> sources_;
  SortedSource* current_ = nullptr;  // the source holding the newest entry of key_
  std::string key_;
};

}  // namespace ferry::chromium
