#include "transformers/validate/schema_graph.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace ferry {

size_t SchemaGraph::AddNode(std::string location) {
  locations_.push_back(std::move(location));
  edges_.emplace_back();
  return locations_.size() - 1;
}

void SchemaGraph::AddEdge(size_t from, size_t to, bool descends) {
  edges_[from].push_back(Edge{to, descends});
}

Status SchemaGraph::Check() const {
  FERRY_RETURN_IF_ERROR(CheckSameLevel());
  return CheckPathWeight();
}

// Kahn's algorithm on the same-level edges: what is never freed lies on or behind a cycle;
// the longest chain falls out of the topological order.
Status SchemaGraph::CheckSameLevel() const {
  const size_t n = size();
  std::vector<size_t> in_degree(n, 0);
  for (const auto& out : edges_) {
    for (const Edge& e : out) {
      if (!e.descends) ++in_degree[e.to];
    }
  }
  std::vector<size_t> ready;
  std::vector<size_t> chain(n, 1);  // longest same-level chain ending at each node, in nodes
  for (size_t v = 0; v < n; ++v) {
    if (in_degree[v] == 0) ready.push_back(v);
  }
  size_t freed = 0;
  while (!ready.empty()) {
    const size_t v = ready.back();
    ready.pop_back();
    ++freed;
    if (chain[v] > kMaxSameLevelChain) {
      return Status::InvalidArgument(
          "schema chains more than " + std::to_string(kMaxSameLevelChain) +
          " $ref/allOf/anyOf/oneOf/not/if/then/else hops, at " + locations_[v]);
    }
    for (const Edge& e : edges_[v]) {
      if (e.descends) continue;
      chain[e.to] = std::max(chain[e.to], chain[v] + 1);
      if (--in_degree[e.to] == 0) ready.push_back(e.to);
    }
  }
  if (freed == n) return Status::OK();
  // Walk forward among the unfreed nodes: after n steps the walk is on the cycle itself.
  size_t v = 0;
  while (in_degree[v] == 0) ++v;
  for (size_t step = 0; step < n; ++step) {
    for (const Edge& e : edges_[v]) {
      if (!e.descends && in_degree[e.to] != 0) {
        v = e.to;
        break;
      }
    }
  }
  return Status::InvalidArgument(
      "schema refers to itself without descending into the value (a $ref/allOf/anyOf/oneOf/"
      "not/if/then/else cycle through " +
      locations_[v] + "); valijson would recurse forever");
}

// Tarjan's strongly connected components, iteratively; then the heaviest path through the
// component DAG, a component weighing as many nodes as it has (a path may visit them all).
Status SchemaGraph::CheckPathWeight() const {
  const size_t n = size();
  if (n == 0) return Status::OK();
  constexpr size_t kUnvisited = std::numeric_limits<size_t>::max();
  std::vector<size_t> index(n, kUnvisited), low(n, 0), component(n, kUnvisited);
  std::vector<bool> on_stack(n, false);
  std::vector<size_t> stack;
  std::vector<size_t> component_size;
  std::vector<std::pair<size_t, size_t>> call;  // (node, next edge)
  size_t next_index = 0;
  for (size_t start = 0; start < n; ++start) {
    if (index[start] != kUnvisited) continue;
    call.emplace_back(start, 0);
    while (!call.empty()) {
      auto& [v, edge] = call.back();
      if (edge == 0 && index[v] == kUnvisited) {
        index[v] = low[v] = next_index++;
        stack.push_back(v);
        on_stack[v] = true;
      }
      if (edge < edges_[v].size()) {
        const size_t w = edges_[v][edge++].to;
        if (index[w] == kUnvisited) {
          call.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        const size_t id = component_size.size();
        component_size.push_back(0);
        size_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = false;
          component[w] = id;
          ++component_size[id];
        } while (w != v);
      }
      const size_t finished = v;
      call.pop_back();
      if (!call.empty()) {
        const size_t parent = call.back().first;
        low[parent] = std::min(low[parent], low[finished]);
      }
    }
  }
  // Tarjan numbers components in reverse topological order: successors come first.
  std::vector<size_t> weight(component_size.size(), 0);
  std::vector<std::vector<size_t>> members(component_size.size());
  for (size_t v = 0; v < n; ++v) members[component[v]].push_back(v);
  for (size_t c = 0; c < component_size.size(); ++c) {
    size_t heaviest_successor = 0;
    for (const size_t v : members[c]) {
      for (const Edge& e : edges_[v]) {
        if (component[e.to] != c)
          heaviest_successor = std::max(heaviest_successor, weight[component[e.to]]);
      }
    }
    weight[c] = component_size[c] + heaviest_successor;
    if (weight[c] > kMaxSchemaPath) {
      return Status::InvalidArgument("schema nests more than " + std::to_string(kMaxSchemaPath) +
                                     " subschemas deep (counting $ref hops), at " +
                                     locations_[members[c].front()]);
    }
  }
  return Status::OK();
}

}  // namespace ferry
