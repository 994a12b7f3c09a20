#include "extractors/dump/dump_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "extractors/common/json_error.h"
#include "extractors/common/json_exact.h"
#include "extractors/common/json_position.h"
#include "extractors/common/json_string.h"
#include "extractors/common/origin_filter.h"
#include "extractors/common/source_files.h"
#include "extractors/common/text_position.h"
#include "extractors/dump/json_scan.h"
#include "extractors/extractor.h"

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

constexpr uint32_t kNoOrigin = std::numeric_limits<uint32_t>::max();

// simdjson's default nesting limit: a deeper file is left to simdjson, which refuses it.
constexpr size_t kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

// The type of the value whose first byte is `c`, in strict JSON.
od::json_type TypeAt(char c) {
  switch (c) {
    case '{':
      return od::json_type::object;
    case '[':
      return od::json_type::array;
    case '"':
      return od::json_type::string;
    case 't':
    case 'f':
      return od::json_type::boolean;
    case 'n':
      return od::json_type::null;
    default:
      return od::json_type::number;
  }
}

}  // namespace

// One entry of the index: where its key and value are in the text.
struct DumpIndex::Slot {
  uint64_t key_quote;    // offset of the key's opening quote
  uint64_t value_quote;  // offset of the value's opening quote
  uint32_t origin;       // index in origins_, or kNoOrigin (flat form)
  uint32_t overridden;   // Entry::overridden
};

// One top-level member whose value is an object (origin form), read or not.
struct DumpIndex::OriginMember {
  DecodedString name;
  int64_t quote = -1;  // offset of its name's opening quote
};

// One pass over the file: with json_scan.h when it is well-formed (memory: the file, and a Slot
// and a (hash, slot) pair per entry), else with simdjson's on-demand API, which never builds
// a tree but indexes the whole text (~4 bytes a byte), to fail the way it always has.
class DumpIndex::Builder {
 public:
  Builder(DumpIndex* index, const std::vector<std::string>& origins, uint64_t max_value_bytes,
          const std::function<void(DumpProblem)>& problem)
      : index_(*index),
        text_(index->text_),
        origins_(origins),
        max_value_bytes_(max_value_bytes),
        problem_(problem),
        position_(text_) {}

  Status Build(od::parser* parser);

 private:
  // A decoded string and the offset of its opening quote (-1 for the flat form's no origin).
  struct Named {
    const DecodedString& decoded;
    int64_t quote;
  };

  // Build() on a well-formed file: walks it with json_scan.h, whose memory is a byte a level,
  // where simdjson holds an index of ~5 bytes a byte of text. Same entries, problems and
  // failures as the simdjson walk, which is kept for the files it refuses (so that their
  // messages stay simdjson's).
  Status ScanBuild();
  Status ScanOrigin(size_t open, uint32_t origin);
  // Fails when a top-level member of `type` makes the file a mix of forms, else sets *form
  // and *first_member from the first member that decides the form.
  Status CheckForm(const std::string& key, int64_t key_offset, od::json_type type, DumpForm* form,
                   std::string* first_member) const;
  Status ReadOrigin(od::value& origin_value, uint32_t origin);
  // Drops every entry an object member of the same name overrides later in the file, as
  // JSON.parse does (the last wins: of an origin's objects, and of a key's values), and counts
  // them in the kept entries' `overridden`. Names are compared by hash, then exactly.
  void ResolveDuplicates();
  // Indexes `value` of `key`, or reports a problem when it is not a string, not decodable or
  // too long. Fails only when the value is not JSON at all.
  Status AddValue(od::value& value, uint32_t origin, Named key);
  void AddValueAt(int64_t offset, od::json_type type, uint32_t origin, Named key);
  void AddProblem(int64_t offset, const std::string& origin, const std::string& key,
                  const std::string& message);
  void AddProblem(int64_t offset, const std::string& origin, const std::string& key,
                  Status problem);
  const std::string& OriginName(uint32_t origin) const {
    static const std::string kNone;
    return origin == kNoOrigin ? kNone : index_.origins_[origin].name.text;
  }

  int64_t OffsetOf(const char* pointer) const { return pointer - text_.data(); }
  int64_t OffsetOf(od::value& value) { return OffsetOf(value.raw_json_token().data()); }
  // Corruption at the parser's current position (the end of the text when it has none).
  Status FailHere(simdjson::error_code error) {
    return CorruptionHere(index_.path_, text_, doc_, error);
  }
  Status Fail(int64_t offset, std::string_view message) const {
    return JsonCorruption(index_.path_, text_, offset, message);
  }

  DumpIndex& index_;
  const std::string_view text_;
  const std::vector<std::string>& origins_;
  const uint64_t max_value_bytes_;
  const std::function<void(DumpProblem)>& problem_;
  TextPosition position_;  // for problems only
  od::document doc_;
  // (hash of (origin name, key), slot) per slot: 16 bytes a key, with the slot's 24.
  std::vector<std::pair<uint64_t, size_t>> by_hash_;
  std::map<std::string, uint32_t> last_origin_;  // origin form: origin -> its last member
  std::map<std::string, int64_t> origin_times_;  // origin form: how many members name it
};

Status DumpIndex::Builder::Build(od::parser* parser) {
  size_t members = 0;
  if (IsStrictJson(text_, kMaxDepth, &members)) {
    // At most one slot a member: reserved whole, the index never holds a vector's spare half.
    index_.slots_.reserve(members);
    by_hash_.reserve(members);
    return ScanBuild();
  }
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
    od::value& value = field.value();
    od::json_type value_type;
    if (auto error = value.type().get(value_type)) {
      return FailHere(error);
    }
    FERRY_RETURN_IF_ERROR(CheckForm(key->text, key_offset, value_type, &form, &first_member));
    bool is_string = value_type == od::json_type::string;
    bool is_object = value_type == od::json_type::object;
    if (is_object) {
      uint32_t origin = static_cast<uint32_t>(index_.origins_.size());
      last_origin_[key->text] = origin;
      origin_times_[key->text]++;
      index_.origins_.push_back(OriginMember{std::move(key).value(), key_offset});
      FERRY_RETURN_IF_ERROR(ReadOrigin(value, origin));
    } else if (is_string || form != DumpForm::kOrigins) {
      FERRY_RETURN_IF_ERROR(AddValue(value, kNoOrigin, Named{*key, key_offset}));
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

Status DumpIndex::Builder::CheckForm(const std::string& key, int64_t key_offset, od::json_type type,
                                     DumpForm* form, std::string* first_member) const {
  bool is_string = type == od::json_type::string;
  bool is_object = type == od::json_type::object;
  if ((is_string && *form == DumpForm::kOrigins) || (is_object && *form == DumpForm::kFlat)) {
    return Fail(key_offset,
                fmt::format("member {} holds {} but member {} holds {}: a dump is either "
                            "{{key: string}} or {{origin: {{key: string}}}}",
                            QuoteForMessage(key), TypeName(type), QuoteForMessage(*first_member),
                            *form == DumpForm::kFlat ? "a string" : "an object"));
  }
  if (*form == DumpForm::kUnknown && (is_string || is_object)) {
    *form = is_string ? DumpForm::kFlat : DumpForm::kOrigins;
    *first_member = key;
  }
  return Status::OK();
}

Status DumpIndex::Builder::ScanBuild() {
  size_t at = SkipJsonSpace(text_, 0);
  od::json_type type = TypeAt(text_[at]);
  if (type != od::json_type::object) {
    return Fail(static_cast<int64_t>(at),
                fmt::format("a dump is a JSON object, but the file holds {}", TypeName(type)));
  }
  DumpForm form = DumpForm::kUnknown;
  std::string first_member;  // the member that decided the form, for the message on a mix
  at = SkipJsonSpace(text_, at + 1);
  while (text_[at] == '"') {
    int64_t key_offset = static_cast<int64_t>(at);
    Result<DecodedString> key = DecodeJsonString(text_, at);
    if (!key.ok()) {
      return Fail(key_offset, "a key: " + key.status().message());
    }
    at = SkipJsonSpace(text_, SkipJsonString(text_, at));  // at ':'
    size_t value_at = SkipJsonSpace(text_, at + 1);
    od::json_type value_type = TypeAt(text_[value_at]);
    FERRY_RETURN_IF_ERROR(CheckForm(key->text, key_offset, value_type, &form, &first_member));
    bool is_string = value_type == od::json_type::string;
    bool is_object = value_type == od::json_type::object;
    if (is_object) {
      uint32_t origin = static_cast<uint32_t>(index_.origins_.size());
      last_origin_[key->text] = origin;
      origin_times_[key->text]++;
      index_.origins_.push_back(OriginMember{std::move(key).value(), key_offset});
      FERRY_RETURN_IF_ERROR(ScanOrigin(value_at, origin));
    } else if (is_string || form != DumpForm::kOrigins) {
      AddValueAt(static_cast<int64_t>(value_at), value_type, kNoOrigin, Named{*key, key_offset});
    } else {
      AddProblem(static_cast<int64_t>(value_at), key->text, "",
                 fmt::format("origin {} holds {}, not an object of keys",
                             QuoteForMessage(key->text), TypeName(value_type)));
    }
    at = SkipJsonSpace(text_, SkipJsonValue(text_, value_at));  // at ',' or '}'
    if (text_[at] == ',') at = SkipJsonSpace(text_, at + 1);
  }
  ResolveDuplicates();
  return Status::OK();
}

Status DumpIndex::Builder::ScanOrigin(size_t open, uint32_t origin) {
  if (!OriginSelected(origins_, OriginName(origin))) {
    return Status::OK();  // the caller skips the object
  }
  size_t at = SkipJsonSpace(text_, open + 1);
  while (text_[at] == '"') {
    int64_t key_offset = static_cast<int64_t>(at);
    Result<DecodedString> key = DecodeJsonString(text_, at);
    if (!key.ok()) {
      return Fail(key_offset, "a key: " + key.status().message());
    }
    at = SkipJsonSpace(text_, SkipJsonString(text_, at));  // at ':'
    size_t value_at = SkipJsonSpace(text_, at + 1);
    AddValueAt(static_cast<int64_t>(value_at), TypeAt(text_[value_at]), origin,
               Named{*key, key_offset});
    at = SkipJsonSpace(text_, SkipJsonValue(text_, value_at));  // at ',' or '}'
    if (text_[at] == ',') at = SkipJsonSpace(text_, at + 1);
  }
  return Status::OK();
}

void DumpIndex::Builder::ResolveDuplicates() {
  std::vector<Slot>& slots = index_.slots_;
  std::vector<bool> dropped(slots.size());
  std::vector<std::pair<uint64_t, size_t>>& by_hash = by_hash_;  // of the kept origins' slots
  for (size_t i = 0; i < slots.size(); ++i) {
    uint32_t origin = slots[i].origin;
    if (origin != kNoOrigin && last_origin_[OriginName(origin)] != origin) {
      dropped[i] = true;  // an earlier object of this origin: the last one replaces it whole
    }
  }
  by_hash.erase(std::remove_if(by_hash.begin(), by_hash.end(),
                               [&dropped](const auto& entry) { return dropped[entry.second]; }),
                by_hash.end());
  std::sort(by_hash.begin(), by_hash.end());
  for (size_t run = 0; run < by_hash.size();) {
    size_t end = run + 1;
    while (end < by_hash.size() && by_hash[end].first == by_hash[run].first) ++end;
    if (end - run > 1) {
      // Equal hashes: group by the exact name; the last of each group wins.
      std::map<std::pair<uint32_t, std::string>, std::vector<size_t>> names;
      for (size_t i = run; i < end; ++i) {
        size_t slot = by_hash[i].second;
        Result<DecodedString> key = DecodeJsonString(text_, slots[slot].key_quote);
        names[{slots[slot].origin, key.ok() ? key->text : std::string()}].push_back(slot);
      }
      for (auto& [name, group] : names) {
        for (size_t i = 0; i + 1 < group.size(); ++i) dropped[group[i]] = true;
        slots[group.back()].overridden += static_cast<uint32_t>(group.size() - 1);
      }
    }
    run = end;
  }
  by_hash_ = {};
  std::vector<bool> origin_counted(index_.origins_.size());
  size_t kept = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (dropped[i]) continue;
    Slot slot = slots[i];
    if (slot.origin != kNoOrigin && !origin_counted[slot.origin]) {
      origin_counted[slot.origin] = true;
      slot.overridden += static_cast<uint32_t>(origin_times_[OriginName(slot.origin)] - 1);
    }
    slots[kept++] = slot;
  }
  slots.resize(kept);
  slots.shrink_to_fit();
}

Status DumpIndex::Builder::ReadOrigin(od::value& origin_value, uint32_t origin) {
  if (!OriginSelected(origins_, OriginName(origin))) {
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

Status DumpIndex::Builder::AddValue(od::value& value, uint32_t origin, Named key_named) {
  int64_t offset = OffsetOf(value);
  od::json_type type;
  if (auto error = value.type().get(type)) {
    return FailHere(error);
  }
  AddValueAt(offset, type, origin, key_named);
  return Status::OK();
}

void DumpIndex::Builder::AddValueAt(int64_t offset, od::json_type type, uint32_t origin,
                                    Named key_named) {
  const std::string& origin_name = OriginName(origin);
  const DecodedString& key = key_named.decoded;
  if (type != od::json_type::string) {
    std::string in_origin =
        origin_name.empty() ? "" : fmt::format(" in origin {}", QuoteForMessage(origin_name));
    AddProblem(offset, origin_name, key.text,
               fmt::format("the value of key {}{} is {}, not a string", QuoteForMessage(key.text),
                           in_origin, TypeName(type)));
    return;
  }
  // Decoded here to be known decodable and under the cap (the decoded text is never longer
  // than the raw string); Read() decodes it again on its turn.
  Result<DecodedString> decoded = DecodeJsonString(text_, static_cast<size_t>(offset));
  if (!decoded.ok()) {
    AddProblem(offset, origin_name, key.text,
               fmt::format("the value of key {}: {}", QuoteForMessage(key.text),
                           decoded.status().message()));
    return;
  }
  if (decoded->text.size() > max_value_bytes_) {
    AddProblem(offset, origin_name, key.text,
               ValueTooLarge(decoded->text.size(), max_value_bytes_));
    return;
  }
  index_.slots_.push_back(
      Slot{static_cast<uint64_t>(key_named.quote), static_cast<uint64_t>(offset), origin, 0});
  uint64_t hash = std::hash<std::string>{}(key.text);
  hash ^= std::hash<std::string>{}(origin_name) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
  by_hash_.emplace_back(hash, index_.slots_.size() - 1);
}

void DumpIndex::Builder::AddProblem(int64_t offset, const std::string& origin,
                                    const std::string& key, const std::string& message) {
  AddProblem(offset, origin, key, Fail(offset, message));
}

void DumpIndex::Builder::AddProblem(int64_t offset, const std::string& origin,
                                    const std::string& key, Status problem) {
  DumpProblem dump_problem;
  dump_problem.where.file = index_.path_;
  position_.Locate(offset, &dump_problem.where);
  dump_problem.where.origin = origin;
  dump_problem.where.key = key;
  dump_problem.problem = std::move(problem);
  problem_(std::move(dump_problem));
}

DumpIndex::DumpIndex(const std::string& path, const simdjson::padded_string& text)
    : path_(path), text_(text.data(), text.size()), user_hint_(FileStem(path)), position_(text_) {}

DumpIndex::~DumpIndex() = default;

Status DumpIndex::Build(const std::vector<std::string>& origins, uint64_t max_value_bytes,
                        od::parser* parser, const std::function<void(DumpProblem)>& problem) {
  return Builder(this, origins, max_value_bytes, problem).Build(parser);
}

size_t DumpIndex::size() const { return slots_.size(); }

void DumpIndex::Read(size_t i, Entry* entry) {
  const Slot& slot = slots_[i];
  static const OriginMember kNone;
  const OriginMember& origin = slot.origin == kNoOrigin ? kNone : origins_[slot.origin];
  // Build() decoded both already, so decoding them again cannot fail.
  DecodedString key = DecodeJsonString(text_, slot.key_quote).value();
  DecodedString value = DecodeJsonString(text_, slot.value_quote).value();
  entry->unit = path_;
  entry->user_hint = user_hint_;
  entry->origin = origin.name.text;
  entry->key = std::move(key.text);
  entry->value = std::move(value.text);
  entry->shape = EntryShape::kStorageValue;
  entry->lossy = value.lossy || key.lossy || origin.name.lossy;
  entry->exact_origin_json.clear();
  entry->exact_key_json.clear();
  entry->exact_value_json.clear();
  entry->lossy_detail.clear();
  entry->overridden = slot.overridden;
  if (entry->lossy) {
    // The strings were decoded already, so re-reading them at the same quotes cannot fail.
    auto exact = [this](bool lossy, int64_t quote, const std::string& text) {
      if (!lossy || quote < 0) return JsonBody(text);
      Result<std::string> body = ExactJsonBody(text_, static_cast<size_t>(quote));
      return body.ok() ? std::move(body).value() : JsonBody(text);
    };
    entry->exact_origin_json = exact(origin.name.lossy, origin.quote, entry->origin);
    entry->exact_key_json = exact(key.lossy, static_cast<int64_t>(slot.key_quote), entry->key);
    entry->exact_value_json =
        exact(value.lossy, static_cast<int64_t>(slot.value_quote), entry->value);
    std::string parts;
    for (const auto& [lossy, part] : {std::pair<bool, const char*>{origin.name.lossy, "origin"},
                                      {key.lossy, "key"},
                                      {value.lossy, "value"}}) {
      if (lossy) parts += fmt::format("{}{}", parts.empty() ? "" : ", ", part);
    }
    entry->lossy_detail =
        fmt::format("{} not well-formed UTF-16 (an unpaired surrogate escape)", parts);
  }
  entry->where = Location{};
  entry->where.file = path_;
  position_.Locate(static_cast<int64_t>(slot.value_quote), &entry->where);
  entry->where.origin = entry->origin;
  entry->where.key = entry->key;
}

Status ReadDumpText(const std::string& path, const simdjson::padded_string& text,
                    const std::vector<std::string>& origins, od::parser* parser,
                    std::vector<Entry>* entries, std::vector<DumpProblem>* problems) {
  DumpIndex index(path, text);
  FERRY_RETURN_IF_ERROR(
      index.Build(origins, std::numeric_limits<uint64_t>::max(), parser,
                  [problems](DumpProblem problem) { problems->push_back(std::move(problem)); }));
  for (size_t i = 0; i < index.size(); ++i) {
    entries->push_back(Entry{});
    index.Read(i, &entries->back());
  }
  return Status::OK();
}

}  // namespace ferry
