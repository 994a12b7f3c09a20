// MappingDocument: a mapping file parsed from YAML into JSON, remembering where each node was.
//
// YAML scalars are typed as YAML 1.2's core schema does (plain `true`, `12`, `1.5`, `null`;
// anything quoted is a string), so the mapping can be checked against a JSON Schema with
// strict types and inline schemas become JSON text. Nodes are addressed by JSON pointer;
// Error() turns a pointer into "file:line:col: entities.tasks.columns.status: message".
// Hostile input is bounded: nesting depth, node count (an alias bomb or an alias cycle ends
// there), and duplicate or non-string keys are errors.
//
// Thread safety: immutable after Parse(); may be read from several threads.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/result.h"
#include "base/status.h"

namespace ferry {

// JSON that keeps the order of members as the file has it (entities, columns).
using MappingJson = nlohmann::ordered_json;

class MappingDocument {
 public:
  static constexpr int kMaxDepth = 64;
  static constexpr size_t kMaxNodes = 50000;
  static constexpr size_t kMaxKeys = 10000;  // per mapping: ordered members are found linearly

  // Parses `yaml`; `file` labels errors. InvalidArgument "file:line:col: message" on bad YAML.
  static Result<MappingDocument> Parse(const std::string& yaml, const std::string& file);

  const MappingJson& root() const { return root_; }
  const std::string& file() const { return file_; }

  // "file:line:col: path" for the node at `pointer` (at its key, when `at_key` and it has
  // one); the nearest enclosing node that exists when `pointer` names none.
  std::string Where(const std::string& pointer, bool at_key = false) const;

  // InvalidArgument "Where(pointer, at_key): message".
  Status Error(const std::string& pointer, std::string_view message, bool at_key = false) const;

  // InvalidArgument "file:line:col: path: message" placed at the key `key` of the mapping at
  // `pointer`, with the path of that mapping ("columns.status: unknown key 'form'").
  Status ErrorAtKey(const std::string& pointer, std::string_view key,
                    std::string_view message) const;

  // (line, column) of Where(pointer, at_key), 0-based, for ordering problems by place in the
  // file; (INT_MAX, INT_MAX) when unknown.
  std::pair<int, int> Position(const std::string& pointer, bool at_key = false) const;

  // The node at `pointer`, or null when there is none.
  const MappingJson* Find(const std::string& pointer) const;

  // The pointer of member `key` (or element `index`) of the node at `pointer`.
  static std::string Child(const std::string& pointer, std::string_view key);
  static std::string Child(const std::string& pointer, size_t index);

 private:
  struct NodePlace {
    int line = -1;  // 0-based, as yaml-cpp's Mark; -1 when unknown
    int column = -1;
    int key_line = -1;  // where the node's key is, for members of a mapping
    int key_column = -1;
    bool is_null = false;  // an empty value's mark is the next token's: its key is better
    std::string path;      // "entities.tasks.columns[2]" (display form)
  };
  friend class YamlToJson;

  // The place of the node at `pointer` or of its nearest ancestor; null when none.
  const NodePlace* Nearest(const std::string& pointer) const;
  // "file:line:col" of `place` (of its key when `at_key`), or "file".
  std::string PlaceOf(const NodePlace* place, bool at_key) const;

  MappingJson root_;
  std::string file_;
  std::unordered_map<std::string, NodePlace> places_;
};

// `text` in single quotes for a message, with control bytes escaped and long text cut.
std::string QuoteMappingText(std::string_view text);

}  // namespace ferry
