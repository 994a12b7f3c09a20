#include "extractors/json/json_extractor.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <memory>
#include <optional>

#include "extractors/common/file_reader.h"
#include "extractors/common/file_sequence_extractor.h"
#include "extractors/common/json_detect.h"
#include "extractors/common/json_error.h"
#include "extractors/common/json_position.h"
#include "extractors/common/text_position.h"
#include "transformers/json_records.h"

namespace ferry {

namespace {

namespace od = simdjson::ondemand;

// The state of one array file. simdjson's iterators point into the document, so this is
// never moved once iteration has started.
struct ArrayFile {
  std::string path;
  std::string stem;
  simdjson::padded_string text;
  od::document doc;
  od::array_iterator next;  // the next element
  od::array_iterator end;
  int64_t index = 0;  // of the next element
  std::optional<TextPosition> position;

  std::string_view view() const { return std::string_view(text.data(), text.size()); }
};

// Streams the elements of one array at a time with simdjson's on-demand API: each element's
// raw text is copied out, no tree of the file is built.
class JsonExtractor final : public FileSequenceExtractor {
 public:
  explicit JsonExtractor(const SourceSpec& spec) : FileSequenceExtractor(spec, {".json"}) {}

 protected:
  Status StartFile(const SourceFile& file) override;
  Result<bool> ReadEntry(Entry* entry) override;
  void FinishFile() override { file_.reset(); }

 private:
  // Corruption at the on-demand parser's current position (or the end of the file).
  Status FailHere(simdjson::error_code error);
  // The text of `element` as written, without surrounding whitespace.
  static simdjson::simdjson_result<std::string_view> RawText(od::value& element);

  od::parser parser_;
  simdjson::dom::parser record_parser_;  // validates one element at a time
  std::unique_ptr<ArrayFile> file_;
};

Status JsonExtractor::StartFile(const SourceFile& source_file) {
  file_ = std::make_unique<ArrayFile>();
  ArrayFile& file = *file_;
  file.path = source_file.path;
  file.stem = FileStem(source_file.path);
  FERRY_ASSIGN_OR_RETURN(file.text, ReadJsonFile(file.path));
  file.position.emplace(file.view());
  if (auto error = parser_.iterate(file.text).get(file.doc)) {
    return JsonCorruption(file.path, file.view(), LocateWholeTextError(file.view(), error), error);
  }
  od::json_type type;
  if (auto error = file.doc.type().get(type)) {
    return FailHere(error);
  }
  if (type != od::json_type::array) {
    return JsonCorruption(
        file.path, file.view(), -1,
        type == od::json_type::object
            ? "a json source holds an array of records, but the file holds an object "
              "(for a localStorage dump, name it dump:PATH)"
            : "a json source holds an array of records, but the file holds a single value");
  }
  od::array array;
  if (auto error = file.doc.get_array().get(array)) {
    return FailHere(error);
  }
  if (auto error = array.begin().get(file.next)) {
    return FailHere(error);
  }
  if (auto error = array.end().get(file.end)) {
    return FailHere(error);
  }
  return Status::OK();
}

Result<bool> JsonExtractor::ReadEntry(Entry* entry) {
  ArrayFile& file = *file_;
  while (file.next != file.end) {
    od::value element;
    if (auto error = (*file.next).get(element)) {
      return FailHere(error);
    }
    std::string_view raw;
    if (auto error = RawText(element).get(raw)) {
      return FailHere(error);
    }
    ++file.next;
    int64_t index = file.index++;
    int64_t offset = raw.data() - file.text.data();
    Location where;
    where.file = file.path;
    file.position->Locate(offset, &where);
    where.key = file.stem;
    where.index = index;
    if (raw.size() > spec().max_value_bytes) {
      Report(where, ValueTooLarge(raw.size(), spec().max_value_bytes));
      continue;
    }
    // The padded text lies beyond the element, so simdjson may read past its end.
    if (auto error = CheckRecordText(raw, true, &record_parser_)) {
      Report(where,
             JsonCorruption(file.path, file.view(), offset,
                            fmt::format("record {}: {}", index, simdjson::error_message(error))));
      continue;
    }
    entry->unit = file.path;
    entry->user_hint.clear();
    entry->origin.clear();
    entry->key = file.stem;
    entry->value.assign(raw);
    entry->shape = EntryShape::kRecord;
    entry->where = std::move(where);
    entry->lossy = false;
    return true;
  }
  if (!AtEnd(file.doc)) {
    return FailHere(simdjson::TRAILING_CONTENT);
  }
  return false;
}

Status JsonExtractor::FailHere(simdjson::error_code error) {
  return CorruptionHere(file_->path, file_->view(), file_->doc, error);
}

simdjson::simdjson_result<std::string_view> JsonExtractor::RawText(od::value& element) {
  od::json_type type;
  if (auto error = element.type().get(type)) {
    return error;
  }
  std::string_view raw;
  if (type == od::json_type::object) {
    od::object object;
    if (auto error = element.get_object().get(object)) {
      return error;
    }
    if (auto error = object.raw_json().get(raw)) {
      return error;
    }
  } else if (type == od::json_type::array) {
    od::array array;
    if (auto error = element.get_array().get(array)) {
      return error;
    }
    if (auto error = array.raw_json().get(raw)) {
      return error;
    }
  } else {
    raw = element.raw_json_token();
  }
  // simdjson's raw text runs up to the next token, so it ends with any whitespace.
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
    raw.remove_suffix(1);
  }
  return raw;
}

}  // namespace

std::unique_ptr<Extractor> MakeJsonExtractor(const SourceSpec& spec) {
  return std::make_unique<JsonExtractor>(spec);
}

bool LooksLikeJsonArray(const std::string& path) { return JsonSourceStartsWith(path, '['); }

}  // namespace ferry
