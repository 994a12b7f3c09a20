#include "transformers/json_writer.h"

#include <fmt/format.h>

#include "transformers/big_number.h"
#include "transformers/field_path.h"

namespace ferry {

namespace {

// Paths below `member` of the drop list: "a.b" under "a" is "b"; "a" under "a" drops it.
bool Descend(const std::vector<std::string>& drop, std::string_view member,
             std::vector<std::string>* below) {
  bool dropped = false;
  for (const std::string& path : drop) {
    std::string_view p = path;
    size_t dot = FirstPathDot(p);
    // The first member of the path, unescaped ("meta\.secret" is the member "meta.secret";
    // "meta.secret" is the member "secret" of "meta", never a member named "meta.secret").
    std::string_view head = p.substr(0, dot);
    if (head.find('\\') == std::string_view::npos ? head != member
                                                  : FieldPathMembers(head).front() != member) {
      continue;
    }
    if (dot == std::string_view::npos) {
      dropped = true;
    } else {
      below->emplace_back(p.substr(dot + 1));
    }
  }
  return dropped;
}

// The seal paths below `member`, each with the path as first given; sets *sealed to the one
// ending at `member`, if any.
struct SealPath {
  std::string below;  // what is left of it
  const std::string* given = nullptr;
};

void DescendSeal(const std::vector<SealPath>& seal, std::string_view member,
                 std::vector<SealPath>* below, const std::string** sealed) {
  std::vector<std::string> remaining;
  for (const SealPath& path : seal) {
    remaining.clear();
    if (Descend({path.below}, member, &remaining)) {
      *sealed = path.given;
    } else if (!remaining.empty()) {
      below->push_back({remaining.front(), path.given});
    }
  }
}

void AppendValue(simdjson::dom::element value, const std::vector<std::string>& drop,
                 const std::vector<SealPath>& seal, const JsonSealer* sealer, std::string* out);

void AppendValue(simdjson::dom::element value, const std::vector<std::string>& drop,
                 std::string* out) {
  static const std::vector<SealPath> kNoSeal;
  AppendValue(value, drop, kNoSeal, nullptr, out);
}

void AppendValue(simdjson::dom::element value, const std::vector<std::string>& drop,
                 const std::vector<SealPath>& seal, const JsonSealer* sealer, std::string* out) {
  switch (value.type()) {
    case simdjson::dom::element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      std::vector<std::string> below;
      std::vector<SealPath> below_seal;
      for (auto field : simdjson::dom::object(value)) {
        below.clear();
        below_seal.clear();
        if (!drop.empty() && Descend(drop, field.key, &below)) {
          continue;
        }
        const std::string* sealed = nullptr;
        if (!seal.empty()) DescendSeal(seal, field.key, &below_seal, &sealed);
        if (!first) {
          out->push_back(',');
        }
        first = false;
        AppendJsonString(field.key, out);
        out->push_back(':');
        if (sealed != nullptr) {
          std::string plaintext;
          AppendValue(field.value, below, &plaintext);
          AppendJsonString((*sealer)(plaintext, *sealed), out);
        } else {
          AppendValue(field.value, below, below_seal, sealer, out);
        }
      }
      out->push_back('}');
      return;
    }
    case simdjson::dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      static const std::vector<std::string> kNone;
      for (auto item : simdjson::dom::array(value)) {
        if (!first) {
          out->push_back(',');
        }
        first = false;
        AppendValue(item, kNone, out);
      }
      out->push_back(']');
      return;
    }
    case simdjson::dom::element_type::STRING:
      if (std::optional<std::string_view> number = BigNumberTextOf(std::string_view(value))) {
        out->append(*number);  // a number no double holds, written as the source wrote it
        return;
      }
      AppendJsonString(std::string_view(value), out);
      return;
    case simdjson::dom::element_type::INT64:
      fmt::format_to(std::back_inserter(*out), "{}", int64_t(value));
      return;
    case simdjson::dom::element_type::UINT64:
      fmt::format_to(std::back_inserter(*out), "{}", uint64_t(value));
      return;
    case simdjson::dom::element_type::DOUBLE:
      fmt::format_to(std::back_inserter(*out), "{}", double(value));
      return;
    case simdjson::dom::element_type::BOOL:
      out->append(bool(value) ? "true" : "false");
      return;
    case simdjson::dom::element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

}  // namespace

void AppendJson(simdjson::dom::element value, const std::vector<std::string>& drop,
                std::string* out) {
  AppendValue(value, drop, out);
}

void AppendJson(simdjson::dom::element value, const std::vector<std::string>& drop,
                const std::vector<std::string>& seal, const JsonSealer& sealer, std::string* out) {
  std::vector<SealPath> paths;
  for (const std::string& path : seal) paths.push_back({path, &path});
  AppendValue(value, drop, paths, &sealer, out);
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace ferry
