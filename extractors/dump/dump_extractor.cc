#include "extractors/dump/dump_extractor.h"

#include <simdjson.h>

#include <optional>
#include <vector>

#include "extractors/common/file_reader.h"
#include "extractors/common/file_sequence_extractor.h"
#include "extractors/common/json_detect.h"
#include "extractors/dump/dump_file.h"

namespace ferry {

namespace {

// Parses each file whole when it starts (a dump is at most a browser's localStorage quota,
// ~5 MB, per origin) and yields its entries from memory.
class DumpExtractor final : public FileSequenceExtractor {
 public:
  explicit DumpExtractor(const SourceSpec& spec) : FileSequenceExtractor(spec, {".json"}) {}

 protected:
  Status StartFile(const SourceFile& file) override {
    FERRY_ASSIGN_OR_RETURN(simdjson::padded_string text, ReadJsonFile(file.path));
    std::vector<DumpProblem> problems;
    FERRY_RETURN_IF_ERROR(
        ReadDumpText(file.path, text, spec().origins, &parser_, &entries_, &problems));
    for (const DumpProblem& problem : problems) {
      Report(problem.where, problem.problem);
    }
    return Status::OK();
  }

  Result<bool> ReadEntry(Entry* entry) override {
    if (next_ >= entries_.size()) {
      return false;
    }
    *entry = std::move(entries_[next_++]);
    return true;
  }

  bool FilesAreStores() const override { return true; }

  void FinishFile() override {
    entries_.clear();
    entries_.shrink_to_fit();
    next_ = 0;
  }

 private:
  simdjson::ondemand::parser parser_;
  std::vector<Entry> entries_;  // the current file's entries
  size_t next_ = 0;             // the next one to yield
};

}  // namespace

std::unique_ptr<Extractor> MakeDumpExtractor(const SourceSpec& spec) {
  return std::make_unique<DumpExtractor>(spec);
}

bool LooksLikeDump(const std::string& path) { return JsonSourceStartsWith(path, '{'); }

}  // namespace ferry
