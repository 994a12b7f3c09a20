// `sensitive: {PATH: drop | encrypt}` in a mapping (agent/mapping/sensitive.h): read, and
// refused where a column could not hold what the rule stores. Issue 17 item 7.
#include "agent/mapping/sensitive.h"

#include "tests/agent/mapping/test_util.h"

namespace ferry::mapping_test::sensitive_test {

TEST_CASE("mapping sensitive: the map form lists each path with its action",
          "[mapping][sensitive]") {
  Result<Mapping> mapping = Load(
      OneEntity("      config: {type: json, from: config}\n"
                "      token: {type: text, from: token}\n",
                "    sensitive: {config.password: drop, token: encrypt, config.key: encrypt}\n"));
  INFO(mapping.status().ToString());
  REQUIRE(mapping.ok());
  const EntityMapping& tasks = mapping->entities[0];
  CHECK(tasks.sensitive.size() == 3);
  CHECK(tasks.sensitive_drop == std::vector<std::string>{"config.password"});
  CHECK(tasks.sensitive_encrypt.size() == 2);
  CHECK(tasks.sealer == nullptr);  // the run sets it, from FERRY_FIELD_KEY
}

TEST_CASE("mapping sensitive: the list form is as before (hidden, left out of $record)",
          "[mapping][sensitive]") {
  Result<Mapping> mapping =
      Load(OneEntity("      token: {type: text, from: token}\n", "    sensitive: [token]\n"));
  REQUIRE(mapping.ok());
  CHECK(mapping->entities[0].sensitive == std::vector<std::string>{"token"});
  CHECK(mapping->entities[0].sensitive_drop.empty());
  CHECK(mapping->entities[0].sensitive_encrypt.empty());
}

TEST_CASE("mapping sensitive: an unknown action is refused", "[mapping][sensitive]") {
  CHECK_FALSE(ErrorOf(OneEntity("      token: {type: text, from: token}\n",
                                "    sensitive: {token: hide}\n"))
                  .empty());
}

TEST_CASE("mapping sensitive: encrypt needs a $ulid column", "[mapping][sensitive]") {
  std::string yaml =
      "version: 1\nname: t\nentities:\n  prefs:\n    source: {keys: [p], shape: record}\n"
      "    id: {field: $user}\n    primary_key: [user_id]\n"
      "    sensitive: {token: encrypt}\n    columns:\n"
      "      user_id: {type: text, from: $user}\n      data: {type: json, from: $record}\n";
  CHECK_THAT(ErrorOf(yaml), Catch::Contains("encrypt needs a $ulid column"));
}

TEST_CASE("mapping sensitive: columns that would store what the rule keeps out are refused",
          "[mapping][sensitive]") {
  CHECK_THAT(ErrorOf(OneEntity("      pin: {type: integer, from: pin}\n",
                               "    sensitive: {pin: encrypt}\n")),
             Catch::Contains("must be text or json"));
  CHECK_THAT(ErrorOf(OneEntity("      region: {type: text, from: config.region}\n",
                               "    sensitive: {config: encrypt}\n")),
             Catch::Contains("reads inside 'config'"));
  CHECK_THAT(ErrorOf(OneEntity("      token: {type: text, from: token}\n",
                               "    sensitive: {token: drop}\n")),
             Catch::Contains("leave the column out"));
  CHECK_THAT(ErrorOf(OneEntity("      status: {type: text, from: s, map: {a: b}}\n",
                               "    sensitive: {s: encrypt}\n")),
             Catch::Contains("without map or references"));
}

}  // namespace ferry::mapping_test::sensitive_test
