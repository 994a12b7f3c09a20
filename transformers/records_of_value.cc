#include "transformers/records_of_value.h"

#include <fmt/format.h>

namespace ferry {

namespace {

const char* TypeName(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    default:
      return "a number";
  }
}

}  // namespace

Status RecordsOfValue(simdjson::dom::element value, SourceShape shape,
                      const std::function<void(const RecordRef&)>& visit) {
  switch (shape) {
    case SourceShape::kArray: {
      if (!value.is_array()) {
        return Status::Corruption(
            fmt::format("expected an array of records, found {}", TypeName(value)));
      }
      int64_t index = 0;
      for (simdjson::dom::element item : simdjson::dom::array(value)) {
        visit(RecordRef{item, index++, std::nullopt});
      }
      return Status::OK();
    }
    case SourceShape::kObject: {
      if (!value.is_object()) {
        return Status::Corruption(
            fmt::format("expected an object of records, found {}", TypeName(value)));
      }
      for (auto field : simdjson::dom::object(value)) {
        visit(RecordRef{field.value, -1, std::string(field.key)});
      }
      return Status::OK();
    }
    case SourceShape::kRecord:
    case SourceShape::kText:
      visit(RecordRef{value, -1, std::nullopt});
      return Status::OK();
  }
  return Status::OK();
}

}  // namespace ferry
