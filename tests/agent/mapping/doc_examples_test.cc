// Every YAML example of docs/mapping.md loads: each block is read from the page itself and put
// into the smallest mapping around it (a block shows one part of a mapping file).
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "agent/mapping/loader.h"
#include "tests/test_paths.h"

namespace ferry::doc_examples_test {

namespace {

std::vector<std::string> YamlBlocks() {
  std::ifstream file(std::string(FERRY_SOURCE_DIR) + "/docs/mapping.md");
  std::vector<std::string> blocks;
  std::string line;
  std::string block;
  bool inside = false;
  while (std::getline(file, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

void Replace(std::string* text, const std::string& from, const std::string& to) {
  size_t at = text->find(from);
  REQUIRE(at != std::string::npos);
  text->replace(at, from.size(), to);
}

const std::string kTaskColumns =
    "{id: {type: ulid, from: $ulid}, user_id: {type: text, from: $user}, "
    "legacy_id: {type: text, from: $legacy_id}}";

const std::string kEnvironments =
    "  environments:\n"
    "    source: {keys: [environments]}\n"
    "    primary_key: [id]\n"
    "    columns: {id: {type: ulid, from: $ulid}}\n";

// `block` inside a whole mapping, by what the block shows.
std::string MappingAround(const std::string& block) {
  if (block.rfind("version:", 0) == 0) {
    std::string yaml = block;
    Replace(&yaml, "tasks: {...}",
            "tasks: {source: {keys: [tasks]}, primary_key: [id], columns: " + kTaskColumns + "}");
    return yaml;
  }
  std::string head = "version: 1\nname: doc\n";
  if (block.rfind("entities:", 0) == 0) {
    std::string yaml = block;
    Replace(&yaml, "columns: {...}", "columns: " + kTaskColumns);
    return head + yaml;
  }
  if (block.rfind("ignore:", 0) == 0) {
    return head +
           "entities:\n  tasks:\n    source: {keys: [tasks]}\n    primary_key: [id]\n"
           "    columns: {id: {type: ulid, from: $ulid}}\n" +
           block;
  }
  std::string entity = "entities:\n" + kEnvironments +
                       "  tasks:\n"
                       "    source: {keys: [tasks]}\n"
                       "    primary_key: [id]\n";
  if (block.find("    columns:") == 0) return head + entity + block;
  return "";  // a block of alternatives: its lines are loaded one by one
}

}  // namespace

TEST_CASE("docs/mapping.md: every YAML example loads", "[agent][mapping]") {
  std::vector<std::string> blocks = YamlBlocks();
  REQUIRE(blocks.size() >= 4);
  const std::string schemas = std::string(FERRY_SOURCE_DIR) + "/schemas/taskapp";
  for (const std::string& block : blocks) {
    INFO(block);
    std::string yaml = MappingAround(block);
    if (!yaml.empty()) {
      Result<Mapping> mapping = LoadMappingText(yaml, "doc.yaml", schemas);
      CHECK(mapping.ok());
      if (!mapping.ok()) FAIL_CHECK(mapping.status().ToString());
      continue;
    }
    std::istringstream lines(block);
    std::string line;
    while (std::getline(lines, line)) {
      std::string one =
          "version: 1\nname: doc\nentities:\n  tasks:\n    source: {keys: [tasks]}\n"
          "    primary_key: [id]\n" +
          line + "\n    columns: {id: {type: ulid, from: $ulid}}\n";
      INFO(one);
      Result<Mapping> mapping = LoadMappingText(one, "doc.yaml", schemas);
      CHECK(mapping.ok());
      if (!mapping.ok()) FAIL_CHECK(mapping.status().ToString());
    }
  }
}

}  // namespace ferry::doc_examples_test
