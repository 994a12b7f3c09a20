#include "extractors/dump/dump_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
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
#include "extractors/dump/dump_index_builder.h"
#include "extractors/dump/json_scan.h"
#include "extractors/extractor.h"

namespace ferry {

using namespace dump_internal;  // NOLINT: the builder's own helpers

Status DumpIndex::Builder::Build() {
  // The grammar is checked whole first, so that the walk can skip values without checking
  // them and a damaged file is refused before any entry is indexed, naming its place.
  size_t members = 0;
  JsonScanError error;
  if (!IsJsonGrammar(text_, kMaxDepth, &members, &error, index_.release_)) {
    return Fail(static_cast<int64_t>(error.offset), error.reason);
  }
  return ScanBuild();
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

namespace {

std::string BigEndian(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(n & 0xff);
  return out;
}

uint64_t FromBigEndian(std::string_view bytes) {
  uint64_t n = 0;
  for (char c : bytes) n = (n << 8) | static_cast<unsigned char>(c);
  return n;
}

std::string_view SlotBytes(const void* slot, size_t size) {
  return {static_cast<const char*>(slot), size};
}

}  // namespace

Status DumpIndex::Builder::ResolveDuplicates() {
  // by_name_ gives each (origin object, key) once, the last of its name with how many there
  // were; by_place_ puts the kept ones back in file order.
  FERRY_RETURN_IF_ERROR(by_name_.Finish());
  index_.by_place_ = std::make_unique<SpillingKeyIndex>(memory_budget_);
  index_.origin_first_slot_.assign(index_.origins_.size(), UINT64_MAX);
  index_.origin_overridden_.assign(index_.origins_.size(), 0);
  for (; by_name_.Valid(); by_name_.Next()) {
    Slot slot;
    std::memcpy(&slot, by_name_.value().data(), sizeof(slot));
    if (slot.origin != kNoOrigin && last_origin_[OriginName(slot.origin)] != slot.origin) {
      continue;  // an earlier object of this origin: the last one replaces it whole
    }
    slot.overridden = static_cast<uint32_t>(by_name_.count() - 1);
    uint64_t number = by_name_.rank();
    if (slot.origin != kNoOrigin) {
      uint64_t& first = index_.origin_first_slot_[slot.origin];
      first = std::min(first, number);
    }
    FERRY_RETURN_IF_ERROR(
        index_.by_place_->Put(BigEndian(number), 0, SlotBytes(&slot, sizeof(slot))));
    ++index_.size_;
  }
  FERRY_RETURN_IF_ERROR(by_name_.status());
  for (size_t origin = 0; origin < index_.origins_.size(); ++origin) {
    index_.origin_overridden_[origin] =
        static_cast<uint32_t>(origin_times_[OriginName(static_cast<uint32_t>(origin))] - 1);
  }
  return index_.by_place_->Finish();
}

Status DumpIndex::Builder::AddValueAt(int64_t offset, od::json_type type, uint32_t origin,
                                      Named key_named) {
  const std::string& origin_name = OriginName(origin);
  const DecodedString& key = key_named.decoded;
  if (type != od::json_type::string) {
    std::string in_origin =
        origin_name.empty() ? "" : fmt::format(" in origin {}", QuoteForMessage(origin_name));
    AddProblem(offset, origin_name, key.text,
               fmt::format("the value of key {}{} is {}, not a string", QuoteForMessage(key.text),
                           in_origin, TypeName(type)));
    return Status::OK();
  }
  // Checked here to be decodable and under the cap (the decoded text is never longer than the
  // raw string), measured without being decoded into memory; Read() decodes it on its turn.
  Result<uint64_t> decoded = DecodedJsonStringSize(text_, static_cast<size_t>(offset));
  if (!decoded.ok()) {
    AddProblem(offset, origin_name, key.text,
               fmt::format("the value of key {}: {}", QuoteForMessage(key.text),
                           decoded.status().message()));
    return Status::OK();
  }
  if (*decoded > max_value_bytes_) {
    AddProblem(offset, origin_name, key.text, ValueTooLarge(*decoded, max_value_bytes_));
    return Status::OK();
  }
  // The name is the origin object's number and the key: the same key in two objects of one
  // origin is two names, as the earlier object is dropped whole (ResolveDuplicates).
  Slot slot{static_cast<uint64_t>(key_named.quote), static_cast<uint64_t>(offset), origin, 0};
  std::string name(sizeof(origin), '\0');
  std::memcpy(name.data(), &origin, sizeof(origin));
  name += key.text;
  return by_name_.Put(name, slots_++, SlotBytes(&slot, sizeof(slot)));
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

DumpIndex::DumpIndex(const std::string& path, std::string_view text,
                     std::function<void(size_t)> release)
    : path_(path),
      text_(text),
      user_hint_(FileStem(path)),
      release_(std::move(release)),
      position_(text_, release_) {}

DumpIndex::~DumpIndex() = default;

Status DumpIndex::Build(const std::vector<std::string>& origins, uint64_t max_value_bytes,
                        const std::function<void(DumpProblem)>& problem, uint64_t memory_budget) {
  return Builder(this, origins, max_value_bytes, problem, memory_budget).Build();
}

size_t DumpIndex::size() const { return size_; }

Status DumpIndex::Read(size_t i, Entry* entry, bool with_value) {
  for (; read_ < i && by_place_->Valid(); ++read_) by_place_->Next();
  FERRY_RETURN_IF_ERROR(by_place_->status());
  if (!by_place_->Valid()) {
    return Status::IOError("the dump's index ended before its entries did");
  }
  Slot slot;
  std::memcpy(&slot, by_place_->value().data(), sizeof(slot));
  if (release_) release_(static_cast<size_t>(slot.key_quote));  // entries come in file order
  if (slot.origin != kNoOrigin &&
      FromBigEndian(by_place_->key()) == origin_first_slot_[slot.origin]) {
    slot.overridden += origin_overridden_[slot.origin];
  }
  static const OriginMember kNone;
  const OriginMember& origin = slot.origin == kNoOrigin ? kNone : origins_[slot.origin];
  // Build() decoded both already, so decoding them again cannot fail.
  DecodedString key = DecodeJsonString(text_, slot.key_quote).value();
  // Without its value: neither decoded nor copied (the cost of a read is mostly the values').
  DecodedString value =
      with_value ? DecodeJsonString(text_, slot.value_quote).value() : DecodedString{};
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
  return Status::OK();
}

Status ReadDumpText(const std::string& path, const simdjson::padded_string& text,
                    const std::vector<std::string>& origins, std::vector<Entry>* entries,
                    std::vector<DumpProblem>* problems) {
  DumpIndex index(path, text);
  FERRY_RETURN_IF_ERROR(
      index.Build(origins, std::numeric_limits<uint64_t>::max(),
                  [problems](DumpProblem problem) { problems->push_back(std::move(problem)); }));
  for (size_t i = 0; i < index.size(); ++i) {
    entries->push_back(Entry{});
    FERRY_RETURN_IF_ERROR(index.Read(i, &entries->back()));
  }
  return Status::OK();
}

}  // namespace ferry
