// SchemaGraph: the subschemas of a schema document and how valijson walks between them, so that
// Compile() can refuse schemas that would make valijson recurse without end or too deep.
//
// valijson 1.0 follows a `$ref` cycle that never descends into the value ({"$ref": "#"},
// {"allOf": [{"$ref": "#"}]}) until the stack overflows, at parse time or at validation time,
// and parses schemas by recursion. Edges are "same level" (the subschema applies to the same
// value: $ref, allOf, anyOf, oneOf, not, if, then, else, dependencies) or "descending" (it
// applies to a member or item: properties, additionalProperties, items, additionalItems,
// contains, propertyNames). A cycle of descending edges is an ordinary recursive schema: the
// record's depth bounds it, and StackBudget guards the record's depth.
//
// Thread safety: a value type; no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/status.h"

namespace ferry {

// Longest chain of same-level hops: between two stack checks valijson follows at most this many.
inline constexpr size_t kMaxSameLevelChain = 64;
// Most subschemas on one path from the root (a cycle counts with all its members): bounds the
// recursion of valijson's schema parser, about 2 KiB of stack per subschema.
inline constexpr size_t kMaxSchemaPath = 200;

class SchemaGraph {
 public:
  // Adds a subschema found at `location` ("#/properties/a"); returns its index.
  size_t AddNode(std::string location);
  void AddEdge(size_t from, size_t to, bool descends);
  size_t size() const { return locations_.size(); }

  // InvalidArgument naming a subschema when the graph has a same-level cycle, a same-level
  // chain longer than kMaxSameLevelChain, or a path heavier than kMaxSchemaPath. Node 0 is the
  // root. Iterative: the graph's own size does not touch the stack.
  Status Check() const;

 private:
  struct Edge {
    size_t to;
    bool descends;
  };

  Status CheckSameLevel() const;
  Status CheckPathWeight() const;

  std::vector<std::string> locations_;
  std::vector<std::vector<Edge>> edges_;
};

}  // namespace ferry
