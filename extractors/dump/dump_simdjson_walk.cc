// DumpIndex::Builder's walk of a file the scanner refuses, with simdjson's on-demand API
// (dump_index_builder.h): it indexes the whole text (~4 bytes a byte) but only to fail the way
// it always has, naming simdjson's place and reason.
#include <fmt/format.h>

#include <string>
#include <utility>

#include "extractors/common/json_error.h"
#include "extractors/common/json_position.h"
#include "extractors/common/json_string.h"
#include "extractors/common/origin_filter.h"
#include "extractors/dump/dump_index_builder.h"

namespace ferry {

using namespace dump_internal;  // NOLINT: the builder's own helpers

Status DumpIndex::Builder::SimdjsonBuild(od::parser* parser) {
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
  return ResolveDuplicates();
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
  return AddValueAt(offset, type, origin, key_named);
}

}  // namespace ferry
