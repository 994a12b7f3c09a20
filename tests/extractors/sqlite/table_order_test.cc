#include "extractors/sqlite/table_order.h"

#include <catch2/catch.hpp>

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

}  // namespace
}  // namespace ferry::sqlite_source::table_order_test
