#include "transformers/field_path.h"

namespace ferry {

std::optional<simdjson::dom::element> FindField(simdjson::dom::element record,
                                                std::string_view path) {
  simdjson::dom::element current = record;
  while (true) {
    size_t dot = path.find('.');
    std::string_view member = path.substr(0, dot);
    simdjson::dom::object object;
    if (current.get_object().get(object) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    simdjson::dom::element next;
    if (object.at_key(member).get(next) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    current = next;
    if (dot == std::string_view::npos) {
      return current;
    }
    path.remove_prefix(dot + 1);
  }
}

std::string DottedPathToPointer(std::string_view path) {
  std::string out = "/";
  for (char c : path) {
    if (c == '.') {
      out += '/';
    } else if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool PointerIsWithin(std::string_view pointer, std::string_view dotted_path) {
  std::string prefix = DottedPathToPointer(dotted_path);
  if (pointer.substr(0, prefix.size()) != prefix) {
    return false;
  }
  return pointer.size() == prefix.size() || pointer[prefix.size()] == '/';
}

}  // namespace ferry
