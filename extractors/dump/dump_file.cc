#include "extractors/dump/dump_file.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

#include "extractors/common/json_error.h"
#include "extractors/common/json_exact.h"
#include "extractors/common/json_position.h"
#include "extractors/common/json_string.h"
#include "extractors/common/origin_filter.h"
#include "extractors/common/source_files.h"
#include "extractors/common/text_position.h"

namespace ferry {

namespace {

namespace od = simdjson::ondemand;

const char* TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

enum class DumpForm {
  kUnknown,  // no string or object member seen yet
  kFlat,     // {key: string}
  kOrigins,  // {origin: {key: string}}
};

// One pass over one dump file with simdjson's on-demand API, which never builds a tree:
// memory is the file and simdjson's index of it.
class DumpReader {
 public:
  DumpReader(const std::string& path, const simdjson::padded_string& text,
             const std::vector<std::string>& origins, std::vector<Entry>* entries,
             std::vector<DumpProblem>* problems)
      : path_(path),
        text_(text.data(), text.size()),
        origins_(origins),
        entries_(entries),
        problems_(problems),
        position_(text_),
        user_hint_(FileStem(path)) {}

  Status Read(od::parser* parser);

 private:
  // A decoded string and the offset of its opening quote (-1 for the flat form's no origin).
  struct Named {
    const DecodedString& decoded;
    int64_t quote;
  };

  Status ReadOrigin(od::value& origin_value, Named origin);
  // Drops every entry an object member of the same name overrides later in the file, as
  // JSON.parse does (the last wins: of an origin's objects, and of a key's values), and counts
  // them in the kept entries' `overridden`.
  void ResolveDuplicates();
  // Appends the entry for `value` of `key`, or a problem when it is not a string. Fails only
  // when the value is not JSON at all.
  Status AddValue(od::value& value, Named origin, Named key);
  // Fills the entry's exact_*_json (every code unit kept, for export) when it is lossy.
  void FillExact(Named origin, Named key, Named value, Entry* entry) const;
  void AddProblem(int64_t offset, const std::string& origin, const std::string& key,
                  const std::string& message);

  int64_t OffsetOf(const char* pointer) const { return pointer - text_.data(); }
  int64_t OffsetOf(od::value& value);
  // Corruption at the parser's current position (the end of the text when it has none).
  Status FailHere(simdjson::error_code error);
  Status Fail(int64_t offset, std::string_view message) const {
    return JsonCorruption(path_, text_, offset, message);
  }

  const std::string& path_;
  const std::string_view text_;
  const std::vector<std::string>& origins_;
  std::vector<Entry>* entries_;
  std::vector<DumpProblem>* problems_;
  TextPosition position_;
  const std::string user_hint_;
  od::document doc_;
  size_t member_ = 0;                            // the top-level member being read
  std::vector<size_t> entry_member_;             // per entry of this file: its top-level member
  std::map<std::string, size_t> last_origin_;    // origin form: origin -> its last member
  std::map<std::string, int64_t> origin_times_;  // origin form: how many members name it
  size_t first_entry_ = 0;                       // entries_ before this file
};

Status DumpReader::Read(od::parser* parser) {
  if (auto error =
          parser->iterate(text_.data(), text_.size(), text_.size() + simdjson::SIMDJSON_PADDING)
              .get(doc_)) {
    return Fail(LocateWholeTextError(text_, error), simdjson::error_message(error));
  }
  od::json_type type;
  if (auto error = doc_.type().get(type)) {
    return FailHere(error);
  }
  if (type != od::json_type::object) {
    size_t start = text_.find_first_not_of(" \t\r\n");
    return Fail(start == std::string_view::npos ? -1 : static_cast<int64_t>(start),
                fmt::format("a dump is a JSON object, but the file holds {}", TypeName(type)));
  }
  od::object object;
  if (auto error = doc_.get_object().get(object)) {
    return FailHere(error);
  }
  DumpForm form = DumpForm::kUnknown;
  std::string first_member;  // the member that decided the form, for the message on a mix
  first_entry_ = entries_->size();
  for (auto field_result : object) {
    ++member_;
    od::field field;
    if (auto error = std::move(field_result).get(field)) {
      return FailHere(error);
    }
    int64_t key_offset = OffsetOf(field.key().raw()) - 1;
    Result<DecodedString> key = DecodeJsonString(text_, static_cast<size_t>(key_offset));
    if (!key.ok()) {
      return Fail(key_offset, "a key: " + key.status().message());
    }
    od::value& value = field.value();
    od::json_type value_type;
    if (auto error = value.type().get(value_type)) {
      return FailHere(error);
    }
    bool is_string = value_type == od::json_type::string;
    bool is_object = value_type == od::json_type::object;
    if ((is_string && form == DumpForm::kOrigins) || (is_object && form == DumpForm::kFlat)) {
      return Fail(key_offset,
                  fmt::format("member {} holds {} but member {} holds {}: a dump is either "
                              "{{key: string}} or {{origin: {{key: string}}}}",
                              QuoteForMessage(key->text), TypeName(value_type),
                              QuoteForMessage(first_member),
                              form == DumpForm::kFlat ? "a string" : "an object"));
    }
    if (form == DumpForm::kUnknown && (is_string || is_object)) {
      form = is_string ? DumpForm::kFlat : DumpForm::kOrigins;
      first_member = key->text;
    }
    static const DecodedString kNoOrigin;
    if (is_object) {
      last_origin_[key->text] = member_;
      origin_times_[key->text]++;
      FERRY_RETURN_IF_ERROR(ReadOrigin(value, Named{*key, key_offset}));
    } else if (is_string || form != DumpForm::kOrigins) {
      FERRY_RETURN_IF_ERROR(AddValue(value, Named{kNoOrigin, -1}, Named{*key, key_offset}));
    } else {
      AddProblem(OffsetOf(value), key->text, "",
                 fmt::format("origin {} holds {}, not an object of keys",
                             QuoteForMessage(key->text), TypeName(value_type)));
    }
  }
  if (!AtEnd(doc_)) {
    return FailHere(simdjson::TRAILING_CONTENT);
  }
  ResolveDuplicates();
  return Status::OK();
}

void DumpReader::ResolveDuplicates() {
  std::vector<Entry>& entries = *entries_;
  std::set<std::pair<std::string, std::string>> seen;  // (origin, key) kept, from the end
  std::map<std::pair<std::string, std::string>, int64_t> overridden;
  std::vector<Entry> kept;
  for (size_t i = entries.size(); i-- > first_entry_;) {
    Entry& entry = entries[i];
    auto last = last_origin_.find(entry.origin);
    if (last != last_origin_.end() && last->second != entry_member_[i - first_entry_]) {
      continue;  // an earlier object of this origin: the last one replaces it whole
    }
    std::pair<std::string, std::string> name{entry.origin, entry.key};
    if (!seen.insert(name).second) {
      overridden[name]++;
      continue;
    }
    kept.push_back(std::move(entry));
  }
  entries.resize(first_entry_);
  std::set<std::string> origin_counted;
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
    Entry& entry = *it;
    entry.overridden = overridden[{entry.origin, entry.key}];
    auto times = origin_times_.find(entry.origin);
    if (times != origin_times_.end() && origin_counted.insert(entry.origin).second) {
      entry.overridden += times->second - 1;
    }
    entries.push_back(std::move(entry));
  }
}

Status DumpReader::ReadOrigin(od::value& origin_value, Named origin) {
  if (!OriginSelected(origins_, origin.decoded.text)) {
    return Status::OK();  // the parent's iteration skips the unread object
  }
  od::object object;
  if (auto error = origin_value.get_object().get(object)) {
    return FailHere(error);
  }
  for (auto field_result : object) {
    od::field field;
    if (auto error = std::move(field_result).get(field)) {
      return FailHere(error);
    }
    int64_t key_offset = OffsetOf(field.key().raw()) - 1;
    Result<DecodedString> key = DecodeJsonString(text_, static_cast<size_t>(key_offset));
    if (!key.ok()) {
      return Fail(key_offset, "a key: " + key.status().message());
    }
    FERRY_RETURN_IF_ERROR(AddValue(field.value(), origin, Named{*key, key_offset}));
  }
  return Status::OK();
}

Status DumpReader::AddValue(od::value& value, Named origin_named, Named key_named) {
  const DecodedString& origin = origin_named.decoded;
  const DecodedString& key = key_named.decoded;
  int64_t offset = OffsetOf(value);
  od::json_type type;
  if (auto error = value.type().get(type)) {
    return FailHere(error);
  }
  if (type != od::json_type::string) {
    std::string in_origin =
        origin.text.empty() ? "" : fmt::format(" in origin {}", QuoteForMessage(origin.text));
    AddProblem(offset, origin.text, key.text,
               fmt::format("the value of key {}{} is {}, not a string", QuoteForMessage(key.text),
                           in_origin, TypeName(type)));
    return Status::OK();
  }
  Result<DecodedString> decoded = DecodeJsonString(text_, static_cast<size_t>(offset));
  if (!decoded.ok()) {
    AddProblem(offset, origin.text, key.text,
               fmt::format("the value of key {}: {}", QuoteForMessage(key.text),
                           decoded.status().message()));
    return Status::OK();
  }
  Entry entry;
  entry.unit = path_;
  entry.user_hint = user_hint_;
  entry.origin = origin.text;
  entry.key = key.text;
  entry.value = std::move(decoded->text);
  entry.shape = EntryShape::kStorageValue;
  entry.lossy = decoded->lossy || key.lossy || origin.lossy;
  if (entry.lossy) {
    FillExact(origin_named, key_named, Named{*decoded, offset}, &entry);
  }
  entry.where.file = path_;
  position_.Locate(offset, &entry.where);
  entry.where.origin = entry.origin;
  entry.where.key = entry.key;
  entries_->push_back(std::move(entry));
  entry_member_.push_back(member_);
  return Status::OK();
}

void DumpReader::FillExact(Named origin, Named key, Named value, Entry* entry) const {
  // The strings were decoded already, so re-reading them at the same quotes cannot fail.
  auto exact = [this](const Named& named, const std::string& text) {
    if (!named.decoded.lossy || named.quote < 0) return JsonBody(text);
    Result<std::string> body = ExactJsonBody(text_, static_cast<size_t>(named.quote));
    return body.ok() ? std::move(body).value() : JsonBody(text);
  };
  entry->exact_origin_json = exact(origin, entry->origin);
  entry->exact_key_json = exact(key, entry->key);
  entry->exact_value_json = exact(value, entry->value);
  std::string parts;
  for (const auto& [named, part] : {std::pair<const Named*, const char*>{&origin, "origin"},
                                    {&key, "key"},
                                    {&value, "value"}}) {
    if (named->decoded.lossy) parts += fmt::format("{}{}", parts.empty() ? "" : ", ", part);
  }
  entry->lossy_detail =
      fmt::format("{} not well-formed UTF-16 (an unpaired surrogate escape)", parts);
}

void DumpReader::AddProblem(int64_t offset, const std::string& origin, const std::string& key,
                            const std::string& message) {
  DumpProblem problem;
  problem.where.file = path_;
  position_.Locate(offset, &problem.where);
  problem.where.origin = origin;
  problem.where.key = key;
  problem.problem = Fail(offset, message);
  problems_->push_back(std::move(problem));
}

int64_t DumpReader::OffsetOf(od::value& value) { return OffsetOf(value.raw_json_token().data()); }

Status DumpReader::FailHere(simdjson::error_code error) {
  return CorruptionHere(path_, text_, doc_, error);
}

}  // namespace

Status ReadDumpText(const std::string& path, const simdjson::padded_string& text,
                    const std::vector<std::string>& origins, od::parser* parser,
                    std::vector<Entry>* entries, std::vector<DumpProblem>* problems) {
  return DumpReader(path, text, origins, entries, problems).Read(parser);
}

}  // namespace ferry
