#include "agent/mapping/structure.h"

#include <memory>
#include <string>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "agent/mapping/embedded.h"

namespace ferry {

namespace {

struct MetaSchema {
  nlohmann::json json;
  valijson::Schema schema;
  Status status;  // not ok when the embedded meta-schema is broken (a build defect)
};

std::unique_ptr<const MetaSchema> BuildMetaSchema() {
  auto m = std::make_unique<MetaSchema>();
  std::optional<std::string_view> text = FindEmbeddedMappingFile("mapping.schema.json");
  if (!text) {
    m->status = Status::Internal("mapping.schema.json is not embedded in ferry");
    return m;
  }
  try {
    m->json = nlohmann::json::parse(*text);
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(m->json), m->schema);
  } catch (const std::exception& e) {
    m->status = Status::Internal(std::string("embedded mapping.schema.json: ") + e.what());
  }
  return m;
}

const MetaSchema& GetMetaSchema() {
  static const std::unique_ptr<const MetaSchema> meta = BuildMetaSchema();  // thread-safe init
  return *meta;
}

// The meta-schema node that governs the instance at `tokens` (after $ref), or null.
const nlohmann::json* SchemaFor(const nlohmann::json& meta,
                                const std::vector<std::string>& tokens) {
  auto resolve = [&meta](const nlohmann::json* node) {
    for (int hops = 0; node != nullptr && hops < 8 && node->is_object() && node->contains("$ref");
         ++hops) {
      std::string ref = node->at("$ref").get<std::string>();
      const std::string prefix = "#/definitions/";
      if (ref.rfind(prefix, 0) != 0) {
        return static_cast<const nlohmann::json*>(nullptr);
      }
      const nlohmann::json& defs = meta.at("definitions");
      auto it = defs.find(ref.substr(prefix.size()));
      node = it == defs.end() ? nullptr : &*it;
    }
    return node;
  };
  const nlohmann::json* node = resolve(&meta);
  for (const std::string& token : tokens) {
    if (node == nullptr || !node->is_object()) {
      return nullptr;
    }
    auto props = node->find("properties");
    auto extra = node->find("additionalProperties");
    auto items = node->find("items");
    if (props != node->end() && props->contains(token)) {
      node = &props->at(token);
    } else if (extra != node->end() && extra->is_object()) {
      node = &*extra;
    } else if (items != node->end() && items->is_object()) {
      node = &*items;
    } else {
      return nullptr;
    }
    node = resolve(node);
  }
  return node;
}

std::string KindName(const std::string& type) {
  if (type == "object") return "a mapping";
  if (type == "array") return "a list";
  if (type == "string") return "a string";
  if (type == "boolean") return "true or false";
  if (type == "number") return "a number";
  if (type == "integer") return "an integer";
  return type;
}

std::string KindOf(const MappingJson& value) {
  switch (value.type()) {
    case MappingJson::value_t::object:
      return "a mapping";
    case MappingJson::value_t::array:
      return "a list";
    case MappingJson::value_t::string:
      return "a string";
    case MappingJson::value_t::boolean:
      return "a boolean";
    case MappingJson::value_t::null:
      return "null";
    default:
      return "a number";
  }
}

std::string ShowValue(const MappingJson& value) {
  if (value.is_string()) {
    return QuoteMappingText(value.get<std::string>());
  }
  return value.is_primitive() ? value.dump() : KindOf(value);
}

bool IsWrapper(const std::string& description) {
  for (const char* prefix :
       {"Failed to validate against schema associated with property name",
        "Failed to validate item #", "Failed to validate against additional properties",
        "Failed to validate against any schemas allowed", "Failed to validate against child",
        "Failed to validate against any child schemas", "Failed to validate against exactly"}) {
    if (description.rfind(prefix, 0) == 0) {
      return true;
    }
  }
  return false;
}

// Between the first `open` and the last `close` of `text` ("...: 'form'." -> form).
std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  size_t start = text.find(open);
  size_t end = text.rfind(close);
  if (start == std::string::npos || end == std::string::npos || end < start + open.size()) {
    return "";
  }
  return text.substr(start + open.size(), end - start - open.size());
}

// The JSON pointer and the tokens of valijson's context ("<root>", "[entities]", "[tasks]").
std::string PointerOf(const valijson::ValidationResults::Error& error,
                      std::vector<std::string>* tokens) {
  std::string pointer;
  for (size_t i = 1; i < error.context.size(); ++i) {  // [0] is "<root>"
    const std::string& c = error.context[i];
    std::string token =
        c.size() >= 2 && c.front() == '[' && c.back() == ']' ? c.substr(1, c.size() - 2) : c;
    pointer = MappingDocument::Child(pointer, token);
    if (tokens != nullptr) {
      tokens->push_back(std::move(token));
    }
  }
  return pointer;
}

const char kUnknownKey[] = "Object contains a property that could not be validated";

// Where the problem shows in the file: at the unknown key itself, else at the node.
std::pair<int, int> PositionOf(const MappingDocument& doc,
                               const valijson::ValidationResults::Error& error) {
  std::string pointer = PointerOf(error, nullptr);
  if (error.description.rfind(kUnknownKey, 0) == 0) {
    std::string key = Between(error.description, "constraints: '", "'.");
    return doc.Position(MappingDocument::Child(pointer, key), /*at_key=*/true);
  }
  return doc.Position(pointer);
}

Status Describe(const MappingDocument& doc, const nlohmann::json& meta,
                const valijson::ValidationResults::Error& error) {
  std::vector<std::string> tokens;
  std::string pointer = PointerOf(error, &tokens);
  const std::string& d = error.description;
  if (d.rfind(kUnknownKey, 0) == 0) {
    std::string key = Between(d, "constraints: '", "'.");
    return doc.ErrorAtKey(pointer, key, "unknown key " + QuoteMappingText(key));
  }
  if (d.rfind("Missing required property", 0) == 0) {
    return doc.Error(pointer, "missing required key " + QuoteMappingText(Between(d, "'", "'.")));
  }
  if (d.find("no fewer than 1 ") != std::string::npos) {
    return doc.Error(pointer, "must not be empty");
  }
  const MappingJson* value = doc.Find(pointer);
  const nlohmann::json* schema = SchemaFor(meta, tokens);
  if (d.rfind("Value type not permitted", 0) == 0 && value && schema && schema->contains("type")) {
    const nlohmann::json& type = schema->at("type");
    std::string expected;
    for (const nlohmann::json& t : type.is_array() ? type : nlohmann::json::array({type})) {
      expected += (expected.empty() ? "" : " or ") + KindName(t.get<std::string>());
    }
    return doc.Error(pointer, "expected " + expected + ", got " + KindOf(*value));
  }
  if (d.rfind("Failed to match against any enum", 0) == 0 && value && schema &&
      schema->contains("enum")) {
    std::string allowed;
    for (const nlohmann::json& v : schema->at("enum")) {
      allowed += (allowed.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    return doc.Error(pointer, ShowValue(*value) + " is not one of " + allowed);
  }
  return doc.Error(pointer, d);
}

}  // namespace

Status CheckMappingStructure(const MappingDocument& doc) {
  const MetaSchema& meta = GetMetaSchema();
  FERRY_RETURN_IF_ERROR(meta.status);
  valijson::ValidationResults results;
  try {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    // valijson's adapter takes nlohmann::json, not the ordered kind the document keeps.
    nlohmann::json plain = nlohmann::json::parse(doc.root().dump());
    if (validator.validate(meta.schema, valijson::adapters::NlohmannJsonAdapter(plain), &results)) {
      return Status::OK();
    }
    // valijson's order is its own; a person reads the file top down: report the first
    // problem in the file.
    const valijson::ValidationResults::Error* first = nullptr;
    std::pair<int, int> first_at;
    size_t problems = 0;
    for (const valijson::ValidationResults::Error& error : results) {
      if (IsWrapper(error.description)) {
        continue;
      }
      std::pair<int, int> at = PositionOf(doc, error);
      if (first == nullptr || at < first_at) {
        first = &error;
        first_at = at;
      }
      ++problems;
    }
    if (first == nullptr && results.numErrors() == 0) {
      return Status::InvalidArgument(doc.file() + ": the mapping does not match its schema");
    }
    if (first == nullptr) {
      first = &*results.begin();
      problems = 1;
    }
    Status status = Describe(doc, meta.json, *first);
    if (problems > 1) {
      return Status::InvalidArgument(status.message() + " (and " + std::to_string(problems - 1) +
                                     " more problem" + (problems > 2 ? "s" : "") + ")");
    }
    return status;
  } catch (const std::exception& e) {
    return Status::InvalidArgument(doc.file() + ": cannot check the mapping: " + e.what());
  }
}

}  // namespace ferry
