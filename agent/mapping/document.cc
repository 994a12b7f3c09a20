#include "agent/mapping/document.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <climits>
#include <cstdio>
#include <unordered_set>
#include <utility>

#include "agent/mapping/names.h"
#include "transformers/validate/schema_rewrite.h"

namespace ferry {

namespace {

bool IsPlainKey(std::string_view key) {
  if (key.empty()) {
    return false;
  }
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '$';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// "file:line:col" with 1-based numbers, or "file" when the place is unknown.
std::string Place(const std::string& file, int line, int column) {
  if (line < 0) {
    return file;
  }
  return file + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1);
}

bool IsDigits(std::string_view s, bool hex) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    bool digit =
        (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
    if (!digit) {
      return false;
    }
  }
  return true;
}

// YAML 1.2 core schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool IsCoreFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    ++i;
  }
  size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++int_digits;
  }
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++frac_digits;
    }
  }
  if (int_digits == 0 && frac_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
      ++i;
    }
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      ++exp_digits;
    }
    if (exp_digits == 0) {
      return false;
    }
  }
  return i == s.size();
}

// A plain (untagged, unquoted) scalar as YAML 1.2's core schema reads it. yaml-cpp has
// already made null, ~ and empty values into Null nodes.
MappingJson ResolvePlainScalar(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") {
    return true;
  }
  if (text == "false" || text == "False" || text == "FALSE") {
    return false;
  }
  std::string_view s = text;
  bool negative = false;
  std::string_view digits = s;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o') &&
      s.size() == digits.size()) {  // 0x / 0o take no sign in the core schema
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (IsDigits(digits, base == 16) && (base != 8 || digits.find_first_of("89") == digits.npos)) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      return negative ? -value : value;
    }
    if (base != 10) {
      return text;  // out of range: keep the text rather than guess
    }
  }
  if (IsCoreFloat(s)) {
    std::string_view f = s[0] == '+' ? s.substr(1) : s;
    double value = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
    if (ec == std::errc() && end == f.data() + f.size()) {
      return value;
    }
  }
  return text;
}

}  // namespace

// Walks a yaml-cpp tree into JSON, recording each node's place.
class YamlToJson {
 public:
  explicit YamlToJson(MappingDocument* doc) : doc_(doc) {}

  Status Convert(const YAML::Node& node, int depth, const std::string& pointer,
                 const std::string& path, MappingJson* out) {
    YAML::Mark mark = node.Mark();
    if (++nodes_ > MappingDocument::kMaxNodes) {
      return Fail(mark, "the mapping has more than " + std::to_string(MappingDocument::kMaxNodes) +
                            " YAML nodes, the limit (about 1000 entities of a dozen columns; "
                            "an alias that expands without end also ends here)");
    }
    if (depth > MappingDocument::kMaxDepth) {
      return Fail(mark, "nesting deeper than " + std::to_string(MappingDocument::kMaxDepth) +
                            " levels (an alias cycle?)");
    }
    MappingDocument::NodePlace& place = doc_->places_[pointer];
    place.line = mark.line;
    place.column = mark.column;
    place.path = path;
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        place.is_null = true;
        *out = nullptr;
        return Status::OK();
      case YAML::NodeType::Scalar:
        if (!IsValidUtf8(node.Scalar())) {
          return Fail(mark, (path.empty() ? "" : path + ": ") + "text is not valid UTF-8");
        }
        if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
          *out = node.Scalar();
        } else {
          *out = ResolvePlainScalar(node.Scalar());
        }
        return Status::OK();
      case YAML::NodeType::Sequence: {
        *out = MappingJson::array();
        size_t index = 0;
        for (const YAML::Node& item : node) {
          MappingJson value;
          FERRY_RETURN_IF_ERROR(Convert(item, depth + 1, MappingDocument::Child(pointer, index),
                                        path + "[" + std::to_string(index) + "]", &value));
          out->push_back(std::move(value));
          ++index;
        }
        return Status::OK();
      }
      case YAML::NodeType::Map: {
        *out = MappingJson::object();
        if (node.size() > MappingDocument::kMaxKeys) {
          return Fail(mark, (path.empty() ? "" : path + ": ") + "more than " +
                                std::to_string(MappingDocument::kMaxKeys) + " keys");
        }
        std::unordered_set<std::string> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
          // Copies: it-> yields a temporary whose members die with the expression.
          const YAML::Node key_node = it->first;
          const YAML::Node value_node = it->second;
          if (!key_node.IsScalar()) {
            return Fail(key_node.Mark(),
                        (path.empty() ? "" : path + ": ") + "a key must be a plain string");
          }
          const std::string& key = key_node.Scalar();
          if (!IsValidUtf8(key)) {
            return Fail(key_node.Mark(),
                        (path.empty() ? "" : path + ": ") + "a key is not valid UTF-8");
          }
          std::string child_path = IsPlainKey(key) ? (path.empty() ? key : path + "." + key)
                                                   : path + "[" + QuoteMappingText(key) + "]";
          if (!seen.insert(key).second) {
            return Fail(key_node.Mark(), child_path + ": duplicate key " + QuoteMappingText(key));
          }
          std::string child_pointer = MappingDocument::Child(pointer, key);
          MappingJson value;
          FERRY_RETURN_IF_ERROR(Convert(value_node, depth + 1, child_pointer, child_path, &value));
          MappingDocument::NodePlace& child = doc_->places_[child_pointer];
          child.key_line = key_node.Mark().line;
          child.key_column = key_node.Mark().column;
          (*out)[key] = std::move(value);
        }
        return Status::OK();
      }
    }
    return Status::Internal("unknown YAML node type");
  }

 private:
  Status Fail(const YAML::Mark& mark, const std::string& message) const {
    return Status::InvalidArgument(Place(doc_->file_, mark.line, mark.column) + ": " + message);
  }

  MappingDocument* doc_;
  size_t nodes_ = 0;
};

Result<MappingDocument> MappingDocument::Parse(const std::string& yaml, const std::string& file) {
  MappingDocument doc;
  doc.file_ = file;
  YAML::Node tree;
  try {
    tree = YAML::Load(yaml);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp stops at its own depth (2048) and says only "bad file".
    return Status::InvalidArgument(Place(file, e.mark.line, e.mark.column) +
                                   ": nesting deeper than " + std::to_string(e.depth()) +
                                   " levels; a mapping nests at most " + std::to_string(kMaxDepth) +
                                   " levels");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Place(file, e.mark.line, e.mark.column) + ": " + e.msg);
  }
  if (!tree.IsDefined() || tree.IsNull()) {
    return Status::InvalidArgument(file + ": the mapping is empty");
  }
  try {
    YamlToJson converter(&doc);
    FERRY_RETURN_IF_ERROR(converter.Convert(tree, 0, "", "", &doc.root_));
  } catch (const std::exception& e) {  // yaml-cpp iteration or nlohmann; not expected
    return Status::InvalidArgument(file + ": cannot read the mapping: " + e.what());
  }
  return doc;
}

const MappingDocument::NodePlace* MappingDocument::Nearest(const std::string& pointer) const {
  std::string p = pointer;
  auto it = places_.find(p);
  while (it == places_.end() && !p.empty()) {
    p.resize(p.rfind('/'));
    it = places_.find(p);
  }
  return it == places_.end() ? nullptr : &it->second;
}

std::string MappingDocument::PlaceOf(const NodePlace* place, bool at_key) const {
  if (place == nullptr) {
    return file_;
  }
  bool use_key = at_key && place->key_line >= 0;
  if ((place->is_null || place->line < 0) && place->key_line >= 0) {
    use_key = true;
  }
  return use_key ? Place(file_, place->key_line, place->key_column)
                 : Place(file_, place->line, place->column);
}

std::pair<int, int> MappingDocument::Position(const std::string& pointer, bool at_key) const {
  const NodePlace* place = Nearest(pointer);
  if (place == nullptr) {
    return {INT_MAX, INT_MAX};
  }
  bool use_key = (at_key || place->is_null || place->line < 0) && place->key_line >= 0;
  int line = use_key ? place->key_line : place->line;
  int column = use_key ? place->key_column : place->column;
  return line < 0 ? std::pair<int, int>{INT_MAX, INT_MAX} : std::pair<int, int>{line, column};
}

std::string MappingDocument::Where(const std::string& pointer, bool at_key) const {
  const NodePlace* place = Nearest(pointer);
  std::string out = PlaceOf(place, at_key);
  if (place != nullptr && !place->path.empty()) {
    out += ": " + place->path;
  }
  return out;
}

Status MappingDocument::Error(const std::string& pointer, std::string_view message,
                              bool at_key) const {
  return Status::InvalidArgument(Where(pointer, at_key) + ": " + std::string(message));
}

Status MappingDocument::ErrorAtKey(const std::string& pointer, std::string_view key,
                                   std::string_view message) const {
  // Placed at the key itself, but named by the mapping holding it: the key is the problem.
  std::string out = PlaceOf(Nearest(Child(pointer, key)), /*at_key=*/true);
  const NodePlace* holder = Nearest(pointer);
  if (holder != nullptr && !holder->path.empty()) {
    out += ": " + holder->path;
  }
  return Status::InvalidArgument(out + ": " + std::string(message));
}

const MappingJson* MappingDocument::Find(const std::string& pointer) const {
  try {
    MappingJson::json_pointer ptr(pointer);
    return root_.contains(ptr) ? &root_.at(ptr) : nullptr;
  } catch (const MappingJson::exception&) {
    return nullptr;
  }
}

std::string MappingDocument::Child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + EscapePointerToken(key);
}

std::string MappingDocument::Child(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string QuoteMappingText(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string out = "'";
  size_t shown = 0;
  for (unsigned char c : text) {
    if (shown++ >= kMaxShown && (c & 0xc0) != 0x80) {  // cut between UTF-8 sequences
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "'";
  return out;
}

}  // namespace ferry
