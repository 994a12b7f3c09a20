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
#include "extractors/dump/dump_index_builder.h"
#include "extractors/dump/json_scan.h"
#include "extractors/extractor.h"

namespace ferry {

using namespace dump_internal;  // NOLINT: the builder's own helpers

Status DumpIndex::Builder::Build(od::parser* parser) {
  size_t members = 0;
  if (IsStrictJson(text_, kMaxDepth, &members)) {
    // At most one slot a member: reserved whole, the index never holds a vector's spare half.
    index_.slots_.reserve(members);
    by_hash_.reserve(members);
    return ScanBuild();
  }
  return SimdjsonBuild(parser);
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
