#include "extractors/chromium/detection.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/registry.h"
#include "tests/extractors/chromium/chromium_test_util.h"

namespace ferry::detection_test {
namespace {

using namespace testing;  // NOLINT: test helpers

TEST_CASE("DetectChromium: user-data, profile and LevelDB folders of the fixtures",
          "[extractors][chromium][detect]") {
  std::optional<std::string> root = BrowserFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string user_data = *root + "/chromium/taskapp-killed";
  CHECK(DetectChromium(user_data));
  CHECK(DetectChromium(user_data + "/"));
  CHECK(DetectChromium(user_data + "/Default"));
  CHECK(DetectChromium(LevelDbOf(user_data)));
  CHECK(DetectChromium(LevelDbOf(user_data) + "//"));
  Result<SourceSpec> spec = ResolveSource(user_data);
  REQUIRE(spec.ok());
  CHECK(spec->kind == "chromium");
  CHECK(ResolveSource(LevelDbOf(user_data))->kind == "chromium");
}

TEST_CASE("DetectChromium: other folders and files are not Chromium stores",
          "[extractors][chromium][detect][corrupt]") {
  TempDir dir;
  CHECK_FALSE(DetectChromium(dir.Folder("empty")));
  dir.Write("dumps/a.json", "{\"k\":\"v\"}");
  CHECK_FALSE(DetectChromium(dir.path() + "/dumps"));
  CHECK_FALSE(DetectChromium(dir.Write("CURRENT", "MANIFEST-000001\n")));  // a file
  CHECK_FALSE(DetectChromium(dir.path() + "/nothing-here"));
  dir.Write("tables/000005.ldb", "x");  // tables alone: only with the chromium: prefix
  CHECK_FALSE(DetectChromium(dir.path() + "/tables"));
  dir.Write("Local Storage/x", "");  // "Local Storage" without leveldb/ inside
  CHECK_FALSE(DetectChromium(dir.path() + "/Local Storage"));
}

TEST_CASE("FindStores: a user-data folder gives each profile with localStorage, in order",
          "[extractors][chromium][detect]") {
  TempDir dir;
  dir.Write("ud/Local State", "{}");
  dir.Folder("ud/Profile 2/Local Storage/leveldb");
  dir.Folder("ud/Default/Local Storage/leveldb");
  dir.Folder("ud/System Profile");  // no localStorage
  dir.Folder("ud/Crashpad");
  auto stores = chromium::FindStores(dir.path() + "/ud/");
  REQUIRE(stores.ok());
  REQUIRE(stores->size() == 2);
  CHECK((*stores)[0].unit == dir.path() + "/ud/Default");
  CHECK((*stores)[0].leveldb_dir == dir.path() + "/ud/Default/Local Storage/leveldb");
  CHECK((*stores)[1].unit == dir.path() + "/ud/Profile 2");

  auto profile = chromium::FindStores(dir.path() + "/ud/Default");
  REQUIRE(profile.ok());
  REQUIRE(profile->size() == 1);
  CHECK((*profile)[0].unit == dir.path() + "/ud/Default");

  // A LevelDB folder inside a profile belongs to the profile; elsewhere it is its own unit.
  dir.Write("ud/Default/Local Storage/leveldb/CURRENT", "MANIFEST-000001\n");
  auto inside = chromium::FindStores(dir.path() + "/ud/Default/Local Storage/leveldb");
  REQUIRE(inside.ok());
  CHECK((*inside)[0].unit == dir.path() + "/ud/Default");
  dir.Write("loose/MANIFEST-000002", "");
  auto loose = chromium::FindStores(dir.path() + "/loose");
  REQUIRE(loose.ok());
  CHECK((*loose)[0].unit == dir.path() + "/loose");
  CHECK((*loose)[0].leveldb_dir == dir.path() + "/loose");
}

TEST_CASE("FindStores: missing paths, empty user-data folders and strangers are refused",
          "[extractors][chromium][detect][corrupt]") {
  TempDir dir;
  auto missing = chromium::FindStores(dir.path() + "/gone");
  CHECK(missing.status().IsNotFound());
  CHECK_THAT(missing.status().message(), Catch::Contains("gone"));
  dir.Write("ud/Local State", "{}");
  dir.Folder("ud/Default");
  auto empty = chromium::FindStores(dir.path() + "/ud");
  CHECK(empty.status().IsNotFound());
  CHECK_THAT(empty.status().message(), Catch::Contains("no profile in it has"));
  auto stranger = chromium::FindStores(dir.Folder("photos"));
  CHECK(stranger.status().IsInvalidArgument());
  CHECK_THAT(stranger.status().message(), Catch::Contains("is not a Chromium store"));
  auto file = chromium::FindStores(dir.Write("notes.txt", "hi"));
  CHECK(file.status().IsInvalidArgument());
  // With chromium: named, a folder of tables alone is taken (and fails later, clearly).
  dir.Write("tables/000005.ldb", "x");
  CHECK(chromium::FindStores(dir.path() + "/tables").ok());
}

}  // namespace
}  // namespace ferry::detection_test
