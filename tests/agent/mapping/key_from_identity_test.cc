// TableDef::key_from_identity (agent/mapping/builder.cc): which part of the row's id-map row
// each primary-key column holds, so that a rollback finds a row the run inserted from its id-map
// row (loaders/core/rollback.h, KeyFromIdentity) and the archive needs no record of it.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "agent/mapping/loader.h"
#include "tests/agent/mapping/test_util.h"

namespace ferry::key_from_identity_test {
namespace {

using namespace mapping_test;  // NOLINT: the helpers of this file's family

using Parts = std::vector<IdentityPart>;

TEST_CASE("key_from_identity: the bundled mapping's tables", "[agent][mapping]") {
  Result<Mapping> mapping = LoadDefaultMapping();
  REQUIRE(mapping.ok());
  CHECK(mapping->Find("tasks")->table.key_from_identity == Parts{IdentityPart::kUlid});
  CHECK(mapping->Find("environments")->table.key_from_identity == Parts{IdentityPart::kUlid});
  CHECK(mapping->Find("user_preferences")->table.key_from_identity == Parts{IdentityPart::kUser});
  CHECK(mapping->Find("custom_data")->table.key_from_identity == Parts{IdentityPart::kUser});
  // form_name is the $key_suffix, which is the entity's legacy id.
  CHECK(mapping->Find("form_data")->table.key_from_identity ==
        Parts{IdentityPart::kUser, IdentityPart::kLegacyId});
}

TEST_CASE("key_from_identity: none when a key column holds anything else", "[agent][mapping]") {
  auto parts = [](const std::string& yaml) {
    Result<Mapping> mapping = Load(yaml);
    REQUIRE(mapping.ok());
    return mapping->entities[0].table.key_from_identity;
  };
  auto keyed = [](const std::string& key, const std::string& columns) {
    return "version: 1\n"
           "name: t\n"
           "entities:\n"
           "  forms:\n"
           "    source: {key_prefix: 'f:', shape: record}\n"
           "    id: {field: $key_suffix}\n"
           "    primary_key: [" +
           key + "]\n    columns:\n" + columns;
  };
  const std::string user = "      user_id: {type: text, from: $user}\n";
  CHECK(parts(keyed("user_id, name", user + "      name: {type: text, from: $key_suffix}\n")) ==
        Parts{IdentityPart::kUser, IdentityPart::kLegacyId});
  CHECK(parts(keyed("user_id, name", user + "      name: {type: text, from: $legacy_id}\n")) ==
        Parts{IdentityPart::kUser, IdentityPart::kLegacyId});
  // A record's field, even one holding the same text: not the id map's to say.
  CHECK(parts(keyed("user_id, name", user + "      name: {type: text, from: title}\n")).empty());
  // The key (not its suffix) is not this entity's legacy id.
  CHECK(parts(keyed("user_id, name", user + "      name: {type: text, from: $key}\n")).empty());
  // Not text: the cell would not be the id map's text.
  CHECK(parts(keyed("n", "      n: {type: integer, from: $legacy_id}\n")).empty());
}

}  // namespace
}  // namespace ferry::key_from_identity_test
