// Tests of agent/mapping/embedded.h: the copies compiled into ferry are the files of schemas/.
#include "agent/mapping/embedded.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/test_paths.h"

namespace ferry::embedded_test {
namespace {

std::string ReadSource(const std::string& name) {
  std::ifstream in(std::string(FERRY_SOURCE_DIR) + "/schemas/" + name, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("EmbeddedMappingFiles: the meta-schema and the taskapp files, byte for byte",
          "[agent][mapping]") {
  std::vector<std::string> names;
  for (const EmbeddedFile& file : EmbeddedMappingFiles()) {
    names.emplace_back(file.name);
    CHECK(file.text == ReadSource(std::string(file.name)));
  }
  for (const char* expected : {"mapping.schema.json", "taskapp/mapping.yaml",
                               "taskapp/task.schema.json", "taskapp/environment.schema.json"}) {
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  }
  CHECK(std::is_sorted(names.begin(), names.end()));
}

TEST_CASE("FindEmbeddedMappingFile: unknown names and path tricks find nothing",
          "[agent][mapping]") {
  CHECK(FindEmbeddedMappingFile("taskapp/mapping.yaml").has_value());
  CHECK_FALSE(FindEmbeddedMappingFile("taskapp/../mapping.schema.json").has_value());
  CHECK_FALSE(FindEmbeddedMappingFile("/etc/passwd").has_value());
  CHECK_FALSE(FindEmbeddedMappingFile("").has_value());
}

}  // namespace
}  // namespace ferry::embedded_test
