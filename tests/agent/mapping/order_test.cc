// Tests of agent/mapping/order.h: reference cycles and the parents-first order.
#include "agent/mapping/order.h"

#include <catch2/catch.hpp>

namespace ferry::order_test {
namespace {

std::vector<EntityMapping> Entities(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& graph) {
  std::vector<EntityMapping> entities;
  for (const auto& [name, parents] : graph) {
    EntityMapping e;
    e.name = name;
    e.parents = parents;
    entities.push_back(e);
  }
  return entities;
}

std::vector<std::string> Names(const std::vector<EntityMapping>& entities) {
  std::vector<std::string> names;
  for (const EntityMapping& e : entities) {
    names.push_back(e.name);
  }
  return names;
}

TEST_CASE("FindReferenceCycle: none in a tree, a self-reference, a long cycle",
          "[agent][mapping]") {
  CHECK(FindReferenceCycle(Entities({{"a", {}}, {"b", {"a"}}, {"c", {"a", "b"}}})).empty());
  CHECK(FindReferenceCycle(Entities({{"a", {"a"}}})) == std::vector<std::string>{"a", "a"});
  CHECK(FindReferenceCycle(Entities({{"x", {}}, {"a", {"b"}}, {"b", {"c"}}, {"c", {"a"}}})) ==
        std::vector<std::string>{"a", "b", "c", "a"});
  // A cycle reached through a path that is not part of it names only the cycle.
  CHECK(FindReferenceCycle(Entities({{"top", {"a"}}, {"a", {"b"}}, {"b", {"a"}}})) ==
        std::vector<std::string>{"a", "b", "a"});
  CHECK(FindReferenceCycle(Entities({{"a", {"ghost"}}})).empty());
}

TEST_CASE("FindReferenceCycle: a long chain does not exhaust the stack", "[agent][mapping]") {
  std::vector<std::pair<std::string, std::vector<std::string>>> graph;
  for (int i = 0; i < 100000; ++i) {
    graph.push_back({"e" + std::to_string(i), {"e" + std::to_string(i + 1)}});
  }
  graph.push_back({"e100000", {"e0"}});
  std::vector<std::string> cycle = FindReferenceCycle(Entities(graph));
  CHECK(cycle.size() == 100002);
}

TEST_CASE("SortParentsFirst: parents first, file order where free", "[agent][mapping]") {
  CHECK(Names(SortParentsFirst(
            Entities({{"tasks", {"environments"}}, {"environments", {}}, {"prefs", {}}}))) ==
        std::vector<std::string>{"environments", "tasks", "prefs"});
  CHECK(Names(SortParentsFirst(
            Entities({{"c", {}}, {"b", {"a", "d"}}, {"a", {}}, {"d", {"a"}}, {"e", {}}}))) ==
        std::vector<std::string>{"c", "a", "d", "b", "e"});
  CHECK(Names(SortParentsFirst({})).empty());
}

TEST_CASE("SortParentsFirst: a cycle (against the contract) loses no entity", "[agent][mapping]") {
  CHECK(Names(SortParentsFirst(Entities({{"a", {"b"}}, {"b", {"a"}}, {"c", {}}}))) ==
        std::vector<std::string>{"c", "a", "b"});
}

}  // namespace
}  // namespace ferry::order_test
