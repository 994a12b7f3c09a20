#include "extractors/dump/dump_extractor.h"

#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "base/word_hash.h"
#include "extractors/common/file_sequence_extractor.h"
#include "extractors/common/json_detect.h"
#include "extractors/common/mapped_file.h"
#include "extractors/common/source_files.h"
#include "extractors/dump/dump_file.h"

namespace ferry {

namespace {

// Maps each file when it starts and indexes its entries (DumpIndex: offsets, not strings,
// spilled to a temporary file past a budget), then decodes one entry at a time. The index lets
// the file's pages go behind each of its passes: memory is a constant plus the largest value,
// not the file.
class DumpExtractor final : public FileSequenceExtractor {
 public:
  explicit DumpExtractor(const SourceSpec& spec) : FileSequenceExtractor(spec, {".json"}) {}

 protected:
  Status StartFile(const SourceFile& file) override {
    path_ = file.path;
    // A placeholder: the file is opened, hashed and indexed by whoever takes the unit.
    entries_deferred_ = ShouldDeferEntries();
    if (entries_deferred_) {
      digest_ = 0;
      values_deferred_ = true;
      return Status::OK();
    }
    FERRY_ASSIGN_OR_RETURN(file_, MappedFile::Open(path_));
    MappedFile* mapped = file_.get();
    // The digest of the bytes the entries come from, before they are indexed (one fast pass,
    // its pages let go behind it as the index's passes do): a rerun's unit digest, which then
    // needs no value decoded (agent/run/unit_digest.h).
    digest_ = DigestOf(*mapped);
    values_deferred_ = ShouldDeferValues();
    index_ = std::make_unique<DumpIndex>(path_, file_->text(),
                                         [mapped](size_t at) { mapped->ReleaseBefore(at); });
    Status built =
        index_->Build(spec().origins, spec().max_value_bytes,
                      [this](DumpProblem problem) { Report(problem.where, problem.problem); });
    // The walk trusts the grammar check before it: a file rewritten in place between them is
    // named as changed, not as damage it may seem to hold.
    FERRY_RETURN_IF_ERROR(file_->Unchanged());
    return built;
  }

  Result<bool> ReadEntry(Entry* entry) override {
    if (entries_deferred_) {
      if (next_++ > 0) return false;
      *entry = Entry{};
      entry->unit = path_;
      entry->user_hint = FileStem(path_);
      entry->shape = EntryShape::kStorageValue;
      entry->where.file = path_;
      return true;
    }
    if (!index_ || next_ >= index_->size()) {
      // Every entry read: they are one file's only if it did not change meanwhile (a unit is
      // loaded once its entries are all read, so a changed file loads nothing).
      if (file_) FERRY_RETURN_IF_ERROR(file_->Unchanged());
      return false;
    }
    FERRY_RETURN_IF_ERROR(index_->Read(next_++, entry, /*with_value=*/!values_deferred_));
    return true;
  }

  std::optional<UnitBytes> CurrentUnitBytes() const override {
    return UnitBytes{digest_, values_deferred_, entries_deferred_};
  }

  bool FilesAreStores() const override { return true; }

  void FinishFile() override {
    index_.reset();
    file_.reset();
    next_ = 0;
    entries_deferred_ = false;
  }

 private:
  std::string path_;                  // the current file
  std::unique_ptr<MappedFile> file_;  // its contents, mapped
  std::unique_ptr<DumpIndex> index_;  // its entries
  size_t next_ = 0;                   // the next one to yield
  uint64_t digest_ = 0;               // of its bytes (CurrentUnitBytes)
  bool values_deferred_ = false;      // its entries are yielded without values
  bool entries_deferred_ = false;     // it is yielded as one placeholder entry

  static uint64_t DigestOf(MappedFile& file) {
    constexpr size_t kPiece = size_t{1} << 20;  // a multiple of 8: pieces hash as the whole
    std::string_view text = file.text();
    WordHash hash;
    hash.AddWord(text.size());
    for (size_t at = 0; at < text.size(); at += kPiece) {
      hash.AddRaw(text.substr(at, kPiece));
      file.ReleaseBefore(std::min(at + kPiece, text.size()));
    }
    return hash.value();
  }
};

}  // namespace

std::unique_ptr<Extractor> MakeDumpExtractor(const SourceSpec& spec) {
  return std::make_unique<DumpExtractor>(spec);
}

bool LooksLikeDump(const std::string& path) { return JsonSourceStartsWith(path, '{'); }

}  // namespace ferry
