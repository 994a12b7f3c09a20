#include "extractors/dump/dump_extractor.h"

#include <simdjson.h>

#include <memory>
#include <string>

#include "extractors/common/file_sequence_extractor.h"
#include "extractors/common/json_detect.h"
#include "extractors/common/mapped_file.h"
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
    FERRY_ASSIGN_OR_RETURN(file_, MappedFile::Open(path_));
    MappedFile* mapped = file_.get();
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
    if (!index_ || next_ >= index_->size()) {
      // Every entry read: they are one file's only if it did not change meanwhile (a unit is
      // loaded once its entries are all read, so a changed file loads nothing).
      if (file_) FERRY_RETURN_IF_ERROR(file_->Unchanged());
      return false;
    }
    FERRY_RETURN_IF_ERROR(index_->Read(next_++, entry));
    return true;
  }

  bool FilesAreStores() const override { return true; }

  void FinishFile() override {
    index_.reset();
    file_.reset();
    next_ = 0;
  }

 private:
  std::string path_;                  // the current file
  std::unique_ptr<MappedFile> file_;  // its contents, mapped
  std::unique_ptr<DumpIndex> index_;  // its entries
  size_t next_ = 0;                   // the next one to yield
};

}  // namespace

std::unique_ptr<Extractor> MakeDumpExtractor(const SourceSpec& spec) {
  return std::make_unique<DumpExtractor>(spec);
}

bool LooksLikeDump(const std::string& path) { return JsonSourceStartsWith(path, '{'); }

}  // namespace ferry
