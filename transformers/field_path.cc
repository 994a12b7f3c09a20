#include "transformers/field_path.h"

#include "transformers/validate/schema_rewrite.h"

namespace ferry {

size_t FirstPathDot(std::string_view path) {
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && (path[i + 1] == '.' || path[i + 1] == '\\')) {
      ++i;  // an escaped dot or backslash
    } else if (path[i] == '.') {
      return i;
    }
  }
  return std::string_view::npos;
}

namespace {

// The member name of one escaped segment of a path (no separating dot in it).
std::string UnescapedMember(std::string_view escaped) {
  std::string member;
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\\' && i + 1 < escaped.size() &&
        (escaped[i + 1] == '.' || escaped[i + 1] == '\\')) {
      ++i;
    }
    member += escaped[i];
  }
  return member;
}

}  // namespace

std::vector<std::string> FieldPathMembers(std::string_view path) {
  std::vector<std::string> members;
  while (true) {
    size_t dot = FirstPathDot(path);
    members.push_back(UnescapedMember(path.substr(0, dot)));
    if (dot == std::string_view::npos) return members;
    path.remove_prefix(dot + 1);
  }
}

std::optional<simdjson::dom::element> FindField(simdjson::dom::element record,
                                                std::string_view path) {
  // Called for every mapped field of every record: a member without a backslash is looked up
  // as the path's own bytes, with no vector or string made.
  simdjson::dom::element current = record;
  std::string unescaped;
  while (true) {
    size_t dot = FirstPathDot(path);
    std::string_view member = path.substr(0, dot);
    if (member.find('\\') != std::string_view::npos) {
      unescaped = UnescapedMember(member);
      member = unescaped;
    }
    simdjson::dom::object object;
    if (current.get_object().get(object) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    if (object.at_key(member).get(current) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    if (dot == std::string_view::npos) return current;
    path.remove_prefix(dot + 1);
  }
}

std::string DottedPathToPointer(std::string_view path) {
  std::string out;
  for (const std::string& member : FieldPathMembers(path)) {
    out += '/' + EscapePointerToken(member);
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
