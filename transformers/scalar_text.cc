#include "transformers/scalar_text.h"

#include <fmt/format.h>

#include "transformers/json_writer.h"

namespace ferry {

std::optional<std::string> ScalarToText(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(value));
    case simdjson::dom::element_type::INT64:
      return fmt::format("{}", int64_t(value));
    case simdjson::dom::element_type::UINT64:
      return fmt::format("{}", uint64_t(value));
    case simdjson::dom::element_type::BOOL:
      return std::string(bool(value) ? "true" : "false");
    default:
      return std::nullopt;
  }
}

std::optional<std::string> ShortJsonForReject(simdjson::dom::element value, size_t limit) {
  if (value.is_object() || value.is_array()) {
    return std::nullopt;
  }
  std::string out;
  if (value.is_string()) {
    std::string_view text(value);
    if (text.size() > limit) {
      // Cut on a UTF-8 boundary so the reject file stays valid UTF-8.
      size_t cut = limit;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
      }
      AppendJsonString(std::string(text.substr(0, cut)) + "…", &out);
      return out;
    }
  }
  AppendJson(value, {}, &out);
  return out;
}

}  // namespace ferry
