#include "agent/mapping/order.h"

#include <unordered_map>
#include <utility>

namespace ferry {

namespace {

// Indexes of each entity's parents, by position in `entities`.
std::vector<std::vector<size_t>> ParentIndexes(const std::vector<EntityMapping>& entities) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < entities.size(); ++i) {
    index.emplace(entities[i].name, i);
  }
  std::vector<std::vector<size_t>> parents(entities.size());
  for (size_t i = 0; i < entities.size(); ++i) {
    for (const std::string& parent : entities[i].parents) {
      auto it = index.find(parent);
      if (it != index.end()) {
        parents[i].push_back(it->second);
      }
    }
  }
  return parents;
}

}  // namespace

std::vector<std::string> FindReferenceCycle(const std::vector<EntityMapping>& entities) {
  std::vector<std::vector<size_t>> parents = ParentIndexes(entities);
  enum class Mark { kNew, kOnPath, kDone };
  std::vector<Mark> marks(entities.size(), Mark::kNew);
  // Iterative depth-first search (a hostile mapping may chain many entities).
  for (size_t start = 0; start < entities.size(); ++start) {
    if (marks[start] != Mark::kNew) {
      continue;
    }
    std::vector<std::pair<size_t, size_t>> stack;  // (entity, next parent to visit)
    stack.emplace_back(start, 0);
    marks[start] = Mark::kOnPath;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == parents[node].size()) {
        marks[node] = Mark::kDone;
        stack.pop_back();
        continue;
      }
      size_t parent = parents[node][next++];
      if (marks[parent] == Mark::kOnPath) {
        std::vector<std::string> cycle;
        size_t from = 0;
        while (stack[from].first != parent) {
          ++from;
        }
        for (size_t k = from; k < stack.size(); ++k) {
          cycle.push_back(entities[stack[k].first].name);
        }
        cycle.push_back(entities[parent].name);
        return cycle;
      }
      if (marks[parent] == Mark::kNew) {
        marks[parent] = Mark::kOnPath;
        stack.emplace_back(parent, 0);
      }
    }
  }
  return {};
}

std::vector<EntityMapping> SortParentsFirst(std::vector<EntityMapping> entities) {
  std::vector<std::vector<size_t>> parents = ParentIndexes(entities);
  std::vector<bool> placed(entities.size(), false);
  std::vector<EntityMapping> sorted;
  sorted.reserve(entities.size());
  while (sorted.size() < entities.size()) {
    bool progress = false;
    for (size_t i = 0; i < entities.size(); ++i) {
      if (placed[i]) {
        continue;
      }
      bool ready = true;
      for (size_t parent : parents[i]) {
        ready = ready && placed[parent];
      }
      if (ready) {
        placed[i] = true;
        sorted.push_back(std::move(entities[i]));
        progress = true;
        break;  // restart from the top: the earliest free entity goes next
      }
    }
    if (!progress) {  // a cycle, against the REQUIRES: the rest keep their order
      for (size_t i = 0; i < entities.size(); ++i) {
        if (!placed[i]) {
          sorted.push_back(std::move(entities[i]));
        }
      }
      break;
    }
  }
  return sorted;
}

}  // namespace ferry
