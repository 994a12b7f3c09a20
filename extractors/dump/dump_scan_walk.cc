// DumpIndex::Builder's walk of a well-formed file with json_scan.h (dump_index_builder.h).
#include <fmt/format.h>

#include <string>

#include "extractors/common/json_error.h"
#include "extractors/common/json_string.h"
#include "extractors/common/origin_filter.h"
#include "extractors/dump/dump_index_builder.h"
#include "extractors/dump/json_scan.h"

namespace ferry {

using namespace dump_internal;  // NOLINT: the builder's own helpers

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
      FERRY_RETURN_IF_ERROR(AddValueAt(static_cast<int64_t>(value_at), value_type, kNoOrigin,
                                       Named{*key, key_offset}));
    } else {
      AddProblem(static_cast<int64_t>(value_at), key->text, "",
                 fmt::format("origin {} holds {}, not an object of keys",
                             QuoteForMessage(key->text), TypeName(value_type)));
    }
    // An origin object is skipped again here (scanned or not): the skip lets its pages go too.
    at = SkipJsonValue(text_, value_at, [this](size_t to) { Passed(to); });
    at = SkipJsonSpace(text_, at);  // at ',' or '}'
    if (text_[at] == ',') at = SkipJsonSpace(text_, at + 1);
    Passed(at);
  }
  return ResolveDuplicates();
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
    FERRY_RETURN_IF_ERROR(AddValueAt(static_cast<int64_t>(value_at), TypeAt(text_[value_at]),
                                     origin, Named{*key, key_offset}));
    // A long value's skip lets its pages go as it moves.
    at = SkipJsonValue(text_, value_at, [this](size_t to) { Passed(to); });
    at = SkipJsonSpace(text_, at);  // at ',' or '}'
    if (text_[at] == ',') at = SkipJsonSpace(text_, at + 1);
    Passed(at);
  }
  return Status::OK();
}

}  // namespace ferry
