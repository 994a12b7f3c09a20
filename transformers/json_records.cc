#include "transformers/json_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "extractors/common/json_string.h"
#include "transformers/big_number.h"

namespace ferry {

namespace {

struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string replacement;
};

// An open object or array no deeper than kMaxRecordDepth.
struct Frame {
  bool object = false;
  bool expect_name = false;    // object: the next string is a member name
  std::vector<size_t> starts;  // object: each member's name's quote
  // object: name -> its latest member in starts; views of the text or of decoded names
  std::unordered_map<std::string_view, size_t> names;
};

// The open frames; a closed frame's storage is kept for the next one, so that a value of many
// small records costs no allocation per record.
class FrameStack {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Frame& back() { return frames_[size_ - 1]; }
  void Push(bool object) {
    if (size_ == frames_.size()) frames_.emplace_back();
    Frame& frame = frames_[size_++];
    frame.object = object;
    frame.expect_name = object;
    frame.starts.clear();
    frame.names.clear();
  }
  void Pop() { --size_; }

 private:
  std::vector<Frame> frames_;
  size_t size_ = 0;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsHighSurrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool IsLowSurrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// The code unit of the "\uXXXX" whose backslash is at json[at], or -1.
int64_t UnicodeEscapeAt(std::string_view json, size_t at) {
  if (at + 6 > json.size() || json[at] != '\\' || json[at + 1] != 'u') return -1;
  int64_t unit = 0;
  for (size_t k = at + 2; k < at + 6; ++k) {
    char c = json[k];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

class Scanner {
 public:
  Scanner(std::string_view json, SourceShape shape)
      : json_(json), shape_(shape), record_level_(shape == SourceShape::kRecord ? 0 : 1) {}

  Result<ScannedValue> Run();

 private:
  Status Fail(size_t at, std::string_view what) const {
    return Status::Corruption(fmt::format("{} at offset {}", what, at));
  }
  size_t SkipSpace(size_t i) const {
    while (i < json_.size() && IsSpace(json_[i])) ++i;
    return i;
  }
  int Depth() const { return static_cast<int>(frames_.size()) + excess_ - record_level_; }
  bool AtRecordLevel() const { return excess_ == 0 && frames_.size() == record_level_; }

  // Scans the string whose quote is at json_[quote]; the index past its closing quote, or
  // npos when it has none. Unpaired surrogate escapes become edits.
  size_t ScanString(size_t quote);
  void OnName(size_t quote, size_t end);
  void BeginRecord(size_t at);
  void EndRecord(size_t at);
  // Between the records (directly in the array or object of records) the grammar is checked
  // strictly, as JSON.parse would: records may be told apart only when they are separated.
  Status CheckBetweenRecords(size_t at);
  Status Open(size_t at);
  Status Close(size_t at);
  void Bareword(size_t begin, size_t end);
  ScannedValue Finish();

  const std::string_view json_;
  const SourceShape shape_;
  const size_t record_level_;  // frames_.size() at which a value is a record
  FrameStack frames_;
  std::deque<std::string> decoded_names_;  // member names with escapes, decoded
  int excess_ = 0;  // open brackets beyond kMaxRecordDepth, not tracked in frames_
  std::vector<Edit> edits_;
  std::vector<ScannedRecord> records_;
  std::vector<bool> dropped_;                                 // per record: overridden
  std::unordered_map<std::string, size_t> record_of_member_;  // kObject: name -> record
  std::optional<std::string> member_;                         // kObject: the current name
  bool member_lossy_ = false;
  bool in_record_ = false;
  enum class Between { kStart, kAfterComma, kAfterName, kAfterColon, kAfterRecord };
  Between between_ = Between::kStart;
  int64_t next_index_ = 0;
  int64_t duplicates_ = 0;
  int64_t big_numbers_ = 0;
};

size_t Scanner::ScanString(size_t quote) {
  size_t i = quote + 1;
  while (i < json_.size()) {
    char c = json_[i];
    if (c == '"') return i + 1;
    if (c != '\\') {
      ++i;
      continue;
    }
    if (i + 1 >= json_.size()) return std::string_view::npos;
    if (json_[i + 1] != 'u') {
      i += 2;
      continue;
    }
    int64_t unit = UnicodeEscapeAt(json_, i);
    if (unit < 0) {
      i += 2;  // a bad escape: the parser rejects the record
      continue;
    }
    if (IsHighSurrogate(static_cast<uint32_t>(unit))) {
      int64_t low = UnicodeEscapeAt(json_, i + 6);
      if (low >= 0 && IsLowSurrogate(static_cast<uint32_t>(low))) {
        i += 12;
        continue;
      }
    } else if (!IsLowSurrogate(static_cast<uint32_t>(unit))) {
      i += 6;
      continue;
    }
    edits_.push_back(Edit{i, i + 6, "\\ufffd"});
    if (in_record_) {
      records_.back().lossy = true;
    } else {
      member_lossy_ = true;  // a member name of an object of records
    }
    i += 6;
  }
  return std::string_view::npos;
}

void Scanner::OnName(size_t quote, size_t end) {
  Frame& frame = frames_.back();
  frame.expect_name = false;
  std::string_view name = json_.substr(quote + 1, end - quote - 2);
  if (name.find('\\') != std::string_view::npos) {
    Result<DecodedString> decoded = DecodeJsonString(json_, quote);
    if (decoded.ok()) name = decoded_names_.emplace_back(std::move(decoded->text));
  }
  frame.starts.push_back(quote);
  if (AtRecordLevel()) member_ = std::string(name);
  auto [it, fresh] = frame.names.try_emplace(name, frame.starts.size() - 1);
  if (fresh) return;
  // JSON.parse keeps the last member of a name: drop the earlier one, with its comma.
  size_t earlier = it->second;
  edits_.push_back(Edit{frame.starts[earlier], frame.starts[earlier + 1], ""});
  it->second = frame.starts.size() - 1;
  ++duplicates_;
  if (AtRecordLevel()) {
    auto found = record_of_member_.find(std::string(name));
    if (found != record_of_member_.end()) dropped_[found->second] = true;
  }
}

void Scanner::BeginRecord(size_t at) {
  ScannedRecord record;
  record.begin = at;
  if (shape_ == SourceShape::kArray) record.index = next_index_++;
  if (shape_ == SourceShape::kObject) {
    record.member = member_.value_or("");
    record.lossy = member_lossy_;
    record_of_member_[*record.member] = records_.size();
  }
  member_lossy_ = false;
  records_.push_back(std::move(record));
  dropped_.push_back(false);
  in_record_ = true;
}

void Scanner::EndRecord(size_t at) {
  records_.back().end = at;
  in_record_ = false;
  between_ = Between::kAfterRecord;
}

Status Scanner::CheckBetweenRecords(size_t at) {
  char c = json_[at];
  if (c == ',') {
    if (between_ != Between::kAfterRecord) return Fail(at, "a comma with no record before it");
    between_ = Between::kAfterComma;
  } else if (c == ']' || c == '}') {
    if (between_ == Between::kAfterComma) return Fail(at, "a comma before the closing bracket");
    if (between_ == Between::kAfterName || between_ == Between::kAfterColon) {
      return Fail(at, "a member with no value");
    }
  } else if (c == ':') {
    if (between_ != Between::kAfterName) return Fail(at, "a ':' with no member name before it");
    between_ = Between::kAfterColon;
  } else if (between_ == Between::kAfterRecord) {
    return Fail(at, "records not separated by a comma");
  } else if (shape_ == SourceShape::kObject) {
    bool name = frames_.back().expect_name;
    if (name && c != '"') return Fail(at, "a member name that is not a string");
    if (name && between_ == Between::kAfterName) return Fail(at, "a member with no value");
    if (!name && between_ != Between::kAfterColon) return Fail(at, "a member with no ':'");
    if (name) between_ = Between::kAfterName;
  }
  return Status::OK();
}

Status Scanner::Open(size_t at) {
  bool object = json_[at] == '{';
  if (frames_.empty() && shape_ != SourceShape::kRecord &&
      object != (shape_ == SourceShape::kObject)) {
    return Fail(at, "a value of another shape");
  }
  if (AtRecordLevel() && shape_ != SourceShape::kRecord) BeginRecord(at);
  if (Depth() + 1 > kMaxRecordDepth) {
    ++excess_;
    if (in_record_) records_.back().too_deep = true;
    return Status::OK();
  }
  frames_.Push(object);
  return Status::OK();
}

Status Scanner::Close(size_t at) {
  if (excess_ > 0) {
    --excess_;
    return Status::OK();
  }
  if (frames_.empty()) return Fail(at, "a closing bracket with nothing open");
  bool object = json_[at] == '}';
  if (frames_.size() == record_level_ && object != frames_.back().object) {
    return Fail(at, "a mismatched closing bracket");  // within a record, the parser tells
  }
  frames_.Pop();
  if (AtRecordLevel() && in_record_) EndRecord(at + 1);
  return Status::OK();
}

void Scanner::Bareword(size_t begin, size_t end) {
  std::string_view token = json_.substr(begin, end - begin);
  if (IsBigNumberToken(token)) {
    std::string marked = "\"";
    marked += kBigNumberEscapedMarker;
    marked += token;
    marked += '"';
    edits_.push_back(Edit{begin, end, std::move(marked)});
    ++big_numbers_;
  }
}

Result<ScannedValue> Scanner::Run() {
  size_t i = SkipSpace(0);
  if (i >= json_.size()) return Fail(i, "no value");
  if (shape_ != SourceShape::kRecord && json_[i] != (shape_ == SourceShape::kArray ? '[' : '{')) {
    return Fail(i, "a value of another shape");
  }
  if (shape_ == SourceShape::kRecord) BeginRecord(i);
  bool complete = false;
  while (i < json_.size() && !complete) {
    char c = json_[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (AtRecordLevel() && shape_ != SourceShape::kRecord) {
      FERRY_RETURN_IF_ERROR(CheckBetweenRecords(i));
    }
    switch (c) {
      case '{':
      case '[':
        FERRY_RETURN_IF_ERROR(Open(i));
        ++i;
        break;
      case '}':
      case ']':
        FERRY_RETURN_IF_ERROR(Close(i));
        ++i;
        break;
      case ',':
        if (excess_ == 0 && !frames_.empty() && frames_.back().object) {
          frames_.back().expect_name = true;
        }
        ++i;
        break;
      case ':':
        ++i;
        break;
      case '"': {
        size_t end = ScanString(i);
        if (end == std::string_view::npos) return Fail(i, "a string with no closing quote");
        if (excess_ == 0 && !frames_.empty() && frames_.back().expect_name) {
          OnName(i, end);
        } else if (AtRecordLevel() && shape_ != SourceShape::kRecord) {
          BeginRecord(i);
          EndRecord(end);
        }
        i = end;
        break;
      }
      default: {
        size_t end = i;
        while (end < json_.size() && !IsSpace(json_[end]) &&
               std::string_view(",:[]{}\"").find(json_[end]) == std::string_view::npos) {
          ++end;
        }
        Bareword(i, end);
        if (AtRecordLevel() && shape_ != SourceShape::kRecord) {
          BeginRecord(i);
          EndRecord(end);
        }
        i = end;
        break;
      }
    }
    complete = frames_.empty() && excess_ == 0;
    if (complete && shape_ == SourceShape::kRecord) EndRecord(i);
  }
  if (!complete) return Fail(i, "a value that is not closed");
  if (SkipSpace(i) != json_.size()) return Fail(SkipSpace(i), "text after the value");
  return Finish();
}

ScannedValue Scanner::Finish() {
  ScannedValue value;
  value.duplicates = duplicates_;
  value.big_numbers = big_numbers_;
  std::vector<std::pair<size_t, int64_t>> shifts;  // (end of an edit, shift after it)
  if (!edits_.empty()) {
    std::sort(edits_.begin(), edits_.end(),
              [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
    std::string& out = value.rewritten_text;
    out.reserve(json_.size());
    size_t cursor = 0;
    for (const Edit& edit : edits_) {
      if (edit.begin < cursor) continue;  // inside a member already dropped
      out.append(json_.data() + cursor, edit.begin - cursor);
      out += edit.replacement;
      cursor = edit.end;
      shifts.emplace_back(edit.end,
                          static_cast<int64_t>(out.size()) - static_cast<int64_t>(cursor));
    }
    out.append(json_.data() + cursor, json_.size() - cursor);
    value.rewritten = true;
  }
  auto moved = [&shifts](size_t at) {
    auto after =
        std::upper_bound(shifts.begin(), shifts.end(), at,
                         [](size_t offset, const auto& shift) { return offset < shift.first; });
    if (after == shifts.begin()) return at;
    return static_cast<size_t>(static_cast<int64_t>(at) + std::prev(after)->second);
  };
  for (size_t r = 0; r < records_.size(); ++r) {
    if (dropped_[r]) continue;
    ScannedRecord record = std::move(records_[r]);
    record.begin = moved(record.begin);
    record.end = moved(record.end);
    value.records.push_back(std::move(record));
  }
  return value;
}

// No object below `element` repeats a member name, and none is nested deeper than `room`
// more levels (the element itself being one).
bool PlainElement(simdjson::dom::element element, int room) {
  if (element.is_array()) {
    if (room < 1) return false;
    for (simdjson::dom::element child : simdjson::dom::array(element)) {
      if (!PlainElement(child, room - 1)) return false;
    }
    return true;
  }
  if (!element.is_object()) return true;
  if (room < 1) return false;
  // Pairwise for the small objects of most records; a set beyond.
  constexpr size_t kPairwise = 16;
  std::vector<std::string_view> names;
  std::unordered_map<std::string_view, bool> seen;
  for (simdjson::dom::key_value_pair member : simdjson::dom::object(element)) {
    if (names.size() < kPairwise) {
      for (std::string_view name : names) {
        if (name == member.key) return false;
      }
      names.push_back(member.key);
      if (names.size() == kPairwise) {
        for (std::string_view name : names) seen.emplace(name, true);
      }
    } else if (!seen.emplace(member.key, true).second) {
      return false;
    }
    if (!PlainElement(member.value, room - 1)) return false;
  }
  return true;
}

// A "\uD800".."\uDFFF" escape somewhere in `json` (or a backslash before such text).
bool MayHoldSurrogateEscape(std::string_view json) {
  for (size_t at = json.find("\\u"); at != std::string_view::npos; at = json.find("\\u", at + 1)) {
    if (at + 3 < json.size() && (json[at + 2] == 'd' || json[at + 2] == 'D')) {
      char c = json[at + 3];
      if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) return true;
    }
  }
  return false;
}

}  // namespace

simdjson::error_code CheckRecordText(std::string_view record, bool padded,
                                     simdjson::dom::parser* parser) {
  simdjson::dom::element ignored;
  simdjson::error_code error = parser->parse(record.data(), record.size(), !padded).get(ignored);
  if (error == simdjson::SUCCESS) return error;
  Result<ScannedValue> scanned = ScanJsonRecords(record, SourceShape::kRecord);
  if (!scanned.ok() || scanned->records.size() != 1) return error;
  if (scanned->records[0].too_deep) return simdjson::DEPTH_ERROR;
  if (!scanned->rewritten) return error;
  const std::string& text = scanned->rewritten_text;
  return parser->parse(text.data(), text.size()).get(ignored) == simdjson::SUCCESS
             ? simdjson::SUCCESS
             : error;
}

bool PlainJson(std::string_view json, simdjson::dom::element value, SourceShape shape) {
  if (MayHoldSurrogateEscape(json)) return false;
  switch (shape) {
    case SourceShape::kRecord:
    case SourceShape::kText:
      return PlainElement(value, kMaxRecordDepth);
    case SourceShape::kArray:
      return value.is_array() && PlainElement(value, kMaxRecordDepth + 1);
    case SourceShape::kObject:
      return value.is_object() && PlainElement(value, kMaxRecordDepth + 1);
  }
  return false;
}

Result<ScannedValue> ScanJsonRecords(std::string_view json, SourceShape shape) {
  return Scanner(json, shape).Run();
}

}  // namespace ferry
