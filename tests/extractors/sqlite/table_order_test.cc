#include "extractors/sqlite/table_order.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ferry::sqlite_source::table_order_test {
namespace {

CatalogTable Table(std::string name, std::vector<std::string> parents) {
  CatalogTable table;
  table.name = std::move(name);
  for (std::string& parent : parents) {
    table.foreign_keys.push_back(ForeignKey{{"fk"}, std::move(parent), {"id"}});
  }
  return table;
}

TEST_CASE("ParentsFirst: parents before children, name order among equals",
          "[extractors][sqlite]") {
  Catalog catalog;
  catalog.tables = {Table("dashboards", {"users"}), Table("orders", {"clinics", "users"}),
                    Table("tasks", {"users", "tasks"}), Table("clinics", {}), Table("users", {})};
  TableOrder order = ParentsFirst(catalog);
  CHECK(order.tables ==
        std::vector<std::string>{"clinics", "users", "dashboards", "orders", "tasks"});
  CHECK(order.in_cycles.empty());  // a self-reference is no cycle between tables
}

TEST_CASE("ParentsFirst: a cycle between tables is named; its tables come last",
          "[extractors][sqlite][corrupt]") {
  Catalog catalog;
  catalog.tables = {Table("a", {"b"}), Table("b", {"a"}), Table("c", {"a"}), Table("d", {}),
                    Table("e", {"missing"})};
  TableOrder order = ParentsFirst(catalog);
  CHECK(order.tables == std::vector<std::string>{"d", "e", "a", "b", "c"});
  CHECK(order.in_cycles == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("LoadOrder: parents first, the heaviest chain first among those ready together",
          "[extractors][sqlite]") {
  Catalog catalog;
  catalog.tables = {Table("clinics", {}),        Table("dashboards", {"users"}),
                    Table("journal", {"users"}), Table("orders", {"clinics", "users"}),
                    Table("tags", {"users"}),    Table("tasks", {"users", "tasks"}),
                    Table("users", {})};
  std::map<std::string, int64_t> rows = {{"clinics", 250}, {"dashboards", 2500}, {"journal", 10000},
                                         {"orders", 5000}, {"tags", 5000},       {"tasks", 19750},
                                         {"users", 2500}};
  TableOrder order = LoadOrder(catalog, rows);
  // users heads users -> tasks (22,250 rows), clinics only clinics -> orders (5,250); then the
  // largest child first, and ties (orders, tags) in name order.
  CHECK(order.tables == std::vector<std::string>{"users", "tasks", "journal", "clinics", "orders",
                                                 "tags", "dashboards"});
  CHECK(order.in_cycles.empty());
  // Every table after its parents, whatever the sizes: orders, the heaviest, waits for both.
  rows["orders"] = 1000000;
  order = LoadOrder(catalog, rows);
  CHECK(order.tables == std::vector<std::string>{"users", "clinics", "orders", "tasks", "journal",
                                                 "tags", "dashboards"});
}

TEST_CASE("LoadOrder: without sizes, ParentsFirst's order; a cycle comes last",
          "[extractors][sqlite][corrupt]") {
  Catalog catalog;
  catalog.tables = {Table("a", {"b"}), Table("b", {"a"}), Table("c", {"a"}), Table("d", {}),
                    Table("e", {"missing"})};
  TableOrder order = LoadOrder(catalog, {{"c", 100}, {"d", -5}});
  CHECK(order.tables == ParentsFirst(catalog).tables);
  CHECK(order.in_cycles == std::vector<std::string>{"a", "b", "c"});
  catalog.tables = {Table("clinics", {}), Table("users", {}), Table("tasks", {"users"})};
  CHECK(LoadOrder(catalog, {}).tables == ParentsFirst(catalog).tables);
}

}  // namespace
}  // namespace ferry::sqlite_source::table_order_test
