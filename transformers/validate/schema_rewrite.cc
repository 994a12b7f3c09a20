#include "transformers/validate/schema_rewrite.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "transformers/validate/bounded_pattern_constraint.h"
#include "transformers/validate/rfc3339_format_constraint.h"
#include "transformers/validate/schema_graph.h"
#include "transformers/validate/violation_text.h"

namespace ferry {
namespace {

using nlohmann::json;

// Keywords whose value is one subschema, and whether it applies to a member/item of the value.
constexpr std::pair<std::string_view, bool> kSingleSchemaKeywords[] = {
    {"additionalProperties", true},
    {"additionalItems", true},
    {"contains", true},
    {"propertyNames", true},
    {"not", false},
    {"if", false},
    {"then", false},
    {"else", false},
};
// Keywords whose value is an array of subschemas.
constexpr std::string_view kSchemaArrayKeywords[] = {"allOf", "anyOf", "oneOf"};

// The deepest nesting of `root`, or kMaxSchemaNesting + 1 once it is exceeded. Iterative.
size_t NestingDepth(const json& root) {
  size_t deepest = 0;
  std::vector<std::pair<const json*, size_t>> pending = {{&root, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth);
    if (deepest > kMaxSchemaNesting) return deepest;
    for (const json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

// Decodes one reference token as valijson does: "~1" -> "/", "~0" -> "~", then %XX.
// One pass left to right gives what valijson's two passes give (a "/" or "~" written never
// forms a new escape with what follows), without std::string::replace, which GCC 12 -O3 warns
// about (-Wstringop-overflow, a false positive) in this function.
bool DecodeRefToken(std::string_view raw, std::string* token) {
  std::string text;
  text.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
      text.push_back(raw[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      text.push_back(raw[i]);
    }
  }
  token->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      *token += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const std::string hex = text.substr(i + 1, 2);
    if (!std::isxdigit(static_cast<unsigned char>(hex[0])) ||
        !std::isxdigit(static_cast<unsigned char>(hex[1]))) {
      return false;
    }
    *token += static_cast<char>(std::stoi(hex, nullptr, 16));
    i += 2;
  }
  return true;
}

// Finds the target of a local $ref as valijson will: empty tokens are skipped, so trailing
// slashes do not matter. Null, with `why` set, when it does not resolve.
const json* ResolveLocalRefOrExplain(const json& root, std::string_view ref,
                                     std::string* target_pointer, std::string* why) {
  if (ref.empty() || ref.front() != '#') {
    *why = "not a reference into this document";
    return nullptr;
  }
  std::string_view pointer = ref.substr(1);
  const json* node = &root;
  size_t tokens = 0;
  target_pointer->clear();
  while (!pointer.empty()) {
    if (pointer.front() != '/') {
      *why = "a JSON pointer starts with \"/\"";
      return nullptr;
    }
    pointer.remove_prefix(1);
    const size_t end = std::min(pointer.find('/'), pointer.size());
    const std::string_view raw = pointer.substr(0, end);
    pointer.remove_prefix(end);
    if (++tokens > kMaxSchemaNesting) {
      *why = "too many reference tokens";
      return nullptr;
    }
    if (raw.empty()) continue;
    std::string token;
    if (!DecodeRefToken(raw, &token)) {
      *why = "bad %-escape in " + JsonQuote(raw);
      return nullptr;
    }
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) {
        *why = "no member " + JsonQuote(token);
        return nullptr;
      }
      node = &*it;
    } else if (node->is_array()) {
      if (token.empty() || token.size() > 9 ||
          token.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(token) >= node->size()) {
        *why = "no element " + JsonQuote(token);
        return nullptr;
      }
      node = &(*node)[std::stoul(token)];
    } else {
      *why = JsonQuote(token) + " does not name a member of a " + node->type_name();
      return nullptr;
    }
    target_pointer->push_back('/');  // not `+= "/" + ...`: a false GCC 12 -O3 -Wrestrict
    target_pointer->append(EscapePointerToken(token));
  }
  return node;
}

class Rewriter {
 public:
  explicit Rewriter(json* root) : root_(root) {}

  Status Run() {
    if (NestingDepth(*root_) > kMaxSchemaNesting) {
      return Status::InvalidArgument("schema nests deeper than " +
                                     std::to_string(kMaxSchemaNesting) + " levels");
    }
    FERRY_ASSIGN_OR_RETURN(const long root_id, Walk(*root_, ""));
    (void)root_id;  // node 0
    // Resolving a $ref may walk a new subschema, which may hold more $refs.
    for (size_t i = 0; i < refs_.size(); ++i) {
      const PendingRef ref = refs_[i];
      std::string target_pointer;
      json* target = nullptr;
      FERRY_RETURN_IF_ERROR(Resolve(ref, &target, &target_pointer));
      if (target == nullptr) continue;
      FERRY_ASSIGN_OR_RETURN(const long target_id, Walk(*target, target_pointer));
      if (target_id >= 0) graph_.AddEdge(ref.from, static_cast<size_t>(target_id), false);
    }
    return graph_.Check();
  }

 private:
  struct PendingRef {
    size_t from;
    std::string ref;
    std::string location;  // of the $ref keyword, for messages
  };

  // Walks the subschema at `node` (JSON pointer `pointer`); returns its graph node, or -1 when
  // it is not an object (boolean schemas have nothing to walk). Recursion is bounded by
  // kMaxSchemaNesting, checked before the walk.
  Result<long> Walk(json& node, const std::string& pointer) {
    if (!node.is_object()) return -1L;
    if (auto it = ids_.find(&node); it != ids_.end()) return static_cast<long>(it->second);
    const size_t id = graph_.AddNode("#" + pointer);
    ids_.emplace(&node, id);

    for (const char* reserved : {kBoundedPatternKeyword, kRfc3339FormatKeyword}) {
      if (node.contains(reserved)) {
        return Status::InvalidArgument(std::string("keyword \"") + reserved +
                                       "\" is reserved by ferry (at #" + pointer + ")");
      }
    }
    if (node.contains("patternProperties")) {
      return Status::InvalidArgument(
          "\"patternProperties\" is not supported (at #" + pointer +
          "/patternProperties): valijson would run it with std::regex, which has no match "
          "budget; list the properties, or use \"propertyNames\" with a \"pattern\"");
    }
    if (auto it = node.find("pattern"); it != node.end()) {
      json moved = {{"regex", std::move(*it)}, {"at", "#" + pointer + "/pattern"}};
      node.erase(it);
      node[kBoundedPatternKeyword] = std::move(moved);
    }
    if (auto it = node.find("format");
        it != node.end() && it->is_string() && IsRfc3339Format(it->get_ref<const std::string&>())) {
      json moved = {{"format", std::move(*it)}, {"at", "#" + pointer + "/format"}};
      node.erase(it);
      node[kRfc3339FormatKeyword] = std::move(moved);
    }

    // valijson ignores the siblings of "$ref"; they are still walked (renaming is harmless),
    // but only the reference is an edge.
    const bool has_ref = node.contains("$ref");
    if (has_ref) {
      const json& ref = node["$ref"];
      if (!ref.is_string()) {
        return Status::InvalidArgument("$ref at #" + pointer + " is not a string");
      }
      refs_.push_back(PendingRef{id, ref.get<std::string>(), "#" + pointer + "/$ref"});
    }
    auto child = [&](json& value, const std::string& child_pointer, bool descends) -> Status {
      FERRY_ASSIGN_OR_RETURN(const long child_id, Walk(value, child_pointer));
      if (child_id >= 0 && !has_ref) graph_.AddEdge(id, static_cast<size_t>(child_id), descends);
      return Status::OK();
    };
    for (const auto& [keyword, descends] : kSingleSchemaKeywords) {
      if (auto it = node.find(keyword); it != node.end()) {
        FERRY_RETURN_IF_ERROR(child(*it, pointer + "/" + std::string(keyword), descends));
      }
    }
    for (const std::string_view keyword : kSchemaArrayKeywords) {
      if (auto it = node.find(keyword); it != node.end() && it->is_array()) {
        for (size_t i = 0; i < it->size(); ++i) {
          FERRY_RETURN_IF_ERROR(child(
              (*it)[i], pointer + "/" + std::string(keyword) + "/" + std::to_string(i), false));
        }
      }
    }
    if (auto it = node.find("items"); it != node.end()) {
      if (it->is_array()) {
        for (size_t i = 0; i < it->size(); ++i) {
          FERRY_RETURN_IF_ERROR(child((*it)[i], pointer + "/items/" + std::to_string(i), true));
        }
      } else {
        FERRY_RETURN_IF_ERROR(child(*it, pointer + "/items", true));
      }
    }
    // Maps of subschemas: "properties" descends; "dependencies" applies to the same value;
    // "definitions" ("$defs" in later drafts) only holds schemas for $ref.
    for (const auto& [keyword, descends, is_edge] :
         {std::tuple<const char*, bool, bool>{"properties", true, true},
          {"dependencies", false, true},
          {"definitions", false, false},
          {"$defs", false, false}}) {
      auto it = node.find(keyword);
      if (it == node.end() || !it->is_object()) continue;
      for (auto member = it->begin(); member != it->end(); ++member) {
        const std::string member_pointer =
            pointer + "/" + keyword + "/" + EscapePointerToken(member.key());
        if (is_edge) {
          FERRY_RETURN_IF_ERROR(child(member.value(), member_pointer, descends));
        } else {
          FERRY_ASSIGN_OR_RETURN(const long definition_id, Walk(member.value(), member_pointer));
          (void)definition_id;  // reachable through $ref edges only
        }
      }
    }
    return static_cast<long>(id);
  }

  // Resolves a pending $ref into this document. A reference to another document is refused:
  // nothing is fetched, and valijson resolves a relative one ("x", "x#/a") in this document as
  // if the part before '#' were absent, so {"$ref": "x"} at the root is a cycle it follows
  // until the stack overflows (found by tests/fuzz, issue 21).
  Status Resolve(const PendingRef& ref, json** target, std::string* target_pointer) const {
    if (ref.ref.find('#') != 0) {
      return Status::InvalidArgument("$ref " + JsonQuote(ref.ref) + " at " + ref.location +
                                     " refers to another document; remote references are not "
                                     "fetched (write \"#/definitions/...\" into this schema)");
    }
    std::string why;
    const json* found = ResolveLocalRefOrExplain(*root_, ref.ref, target_pointer, &why);
    if (found == nullptr) {
      return Status::InvalidArgument("bad $ref " + JsonQuote(ref.ref) + " at " + ref.location +
                                     ": " + why);
    }
    *target = const_cast<json*>(found);  // root_ is mutable; the lookup is shared with readers
    return Status::OK();
  }

  json* root_;
  SchemaGraph graph_;
  std::unordered_map<const json*, size_t> ids_;
  std::vector<PendingRef> refs_;
};

}  // namespace

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

const json* ResolveLocalRef(const json& root, std::string_view ref, std::string* pointer) {
  std::string why;
  return ResolveLocalRefOrExplain(root, ref, pointer, &why);
}

Status RewriteSchemaForValijson(json* schema) { return Rewriter(schema).Run(); }

}  // namespace ferry
