#include "extractors/ndjson/ndjson_extractor.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <memory>

#include "extractors/common/file_sequence_extractor.h"
#include "extractors/common/json_detect.h"
#include "extractors/common/line_reader.h"
#include "transformers/json_records.h"

namespace ferry {

namespace {

constexpr size_t kMaxLineBytes = 64 * 1024 * 1024;

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

class NdjsonExtractor final : public FileSequenceExtractor {
 public:
  explicit NdjsonExtractor(const SourceSpec& spec)
      : FileSequenceExtractor(spec, {".ndjson", ".jsonl"}) {}

 protected:
  Status StartFile(const SourceFile& file) override {
    path_ = file.path;
    stem_ = FileStem(file.path);
    reader_ = std::make_unique<LineReader>(file.path, kMaxLineBytes);
    return reader_->Open();
  }

  Result<bool> ReadEntry(Entry* entry) override;

  void FinishFile() override {
    reader_.reset();
    line_.clear();
    line_.shrink_to_fit();
  }

 private:
  simdjson::dom::parser record_parser_;  // validates one line at a time
  std::unique_ptr<LineReader> reader_;
  std::string path_;
  std::string stem_;
  std::string line_;
};

Result<bool> NdjsonExtractor::ReadEntry(Entry* entry) {
  while (true) {
    FERRY_ASSIGN_OR_RETURN(bool more, reader_->ReadLine(&line_));
    if (!more) {
      return false;
    }
    std::string_view record = line_;
    if (reader_->line_number() == 1 && record.substr(0, 3) == "\xEF\xBB\xBF") {
      record.remove_prefix(3);  // a UTF-8 byte order mark
    }
    if (IsBlank(record)) {
      continue;
    }
    Location where;
    where.file = path_;
    where.offset = reader_->line_offset();
    where.line = reader_->line_number();
    where.key = stem_;
    if (record.size() > spec().max_value_bytes) {
      Report(where, ValueTooLarge(record.size(), spec().max_value_bytes));
      continue;
    }
    if (auto error = CheckRecordText(record, false, &record_parser_)) {
      Report(where, Status::Corruption(fmt::format("{}:{}: {}", path_, where.line,
                                                   simdjson::error_message(error))));
      continue;
    }
    entry->unit = path_;
    entry->user_hint.clear();
    entry->origin.clear();
    entry->key = stem_;
    entry->value.assign(record);
    entry->shape = EntryShape::kRecord;
    entry->where = std::move(where);
    entry->lossy = false;
    return true;
  }
}

}  // namespace

std::unique_ptr<Extractor> MakeNdjsonExtractor(const SourceSpec& spec) {
  return std::make_unique<NdjsonExtractor>(spec);
}

bool LooksLikeNdjson(const std::string& path) { return LooksLikeNdjsonSource(path); }

}  // namespace ferry
