#include "transformers/validate/schema_graph.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::schema_graph_test {
namespace {

TEST_CASE("SchemaGraph: a descending cycle is an ordinary recursive schema",
          "[transformers][validate]") {
  SchemaGraph graph;
  const size_t root = graph.AddNode("#");
  const size_t items = graph.AddNode("#/items");
  graph.AddEdge(root, items, /*descends=*/true);
  graph.AddEdge(items, root, /*descends=*/false);  // {"$ref": "#"}
  CHECK(graph.Check().ok());
}

TEST_CASE("SchemaGraph: a same-level cycle is refused with its location",
          "[transformers][validate]") {
  SchemaGraph graph;
  const size_t root = graph.AddNode("#");
  const size_t a = graph.AddNode("#/definitions/a");
  const size_t b = graph.AddNode("#/definitions/b");
  graph.AddEdge(root, a, true);
  graph.AddEdge(a, b, false);
  graph.AddEdge(b, a, false);
  const Status status = graph.Check();
  REQUIRE(status.IsInvalidArgument());
  CHECK_THAT(status.message(),
             Catch::Contains("refers to itself") &&
                 (Catch::Contains("#/definitions/a") || Catch::Contains("#/definitions/b")));
}

TEST_CASE("SchemaGraph: a self-loop is a same-level cycle", "[transformers][validate]") {
  SchemaGraph graph;
  const size_t root = graph.AddNode("#");
  graph.AddEdge(root, root, false);
  CHECK(graph.Check().IsInvalidArgument());
}

TEST_CASE("SchemaGraph: same-level chains are bounded", "[transformers][validate]") {
  for (const size_t length : {kMaxSameLevelChain, kMaxSameLevelChain + 1}) {
    SchemaGraph graph;
    size_t previous = graph.AddNode("#");
    for (size_t i = 1; i < length; ++i) {
      const size_t next = graph.AddNode("#/allOf/" + std::to_string(i));
      graph.AddEdge(previous, next, false);
      previous = next;
    }
    CHECK(graph.Check().ok() == (length <= kMaxSameLevelChain));
  }
}

TEST_CASE("SchemaGraph: paths are bounded, a cycle weighing all its members",
          "[transformers][validate]") {
  SchemaGraph graph;
  size_t previous = graph.AddNode("#");
  for (size_t i = 1; i < kMaxSchemaPath; ++i) {
    const size_t next = graph.AddNode("#/n" + std::to_string(i));
    graph.AddEdge(previous, next, true);
    previous = next;
  }
  CHECK(graph.Check().ok());
  graph.AddEdge(previous, 0, true);  // one big descending cycle: still kMaxSchemaPath nodes
  CHECK(graph.Check().ok());
  const size_t extra = graph.AddNode("#/extra");
  graph.AddEdge(previous, extra, true);
  CHECK(graph.Check().IsInvalidArgument());
}

TEST_CASE("SchemaGraph: a wide graph is fine", "[transformers][validate]") {
  SchemaGraph graph;
  const size_t root = graph.AddNode("#");
  for (int i = 0; i < 100000; ++i) {
    graph.AddEdge(root, graph.AddNode("#/properties/p" + std::to_string(i)), true);
  }
  CHECK(graph.Check().ok());
}

}  // namespace
}  // namespace ferry::schema_graph_test
