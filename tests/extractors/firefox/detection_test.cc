// Telling a Firefox store from other paths, and the registry's firefox kind.
#include "extractors/firefox/detection.h"

#include <catch2/catch.hpp>
#include <string>

#include "extractors/registry.h"
#include "tests/extractors/firefox/firefox_test_util.h"

namespace ferry::detection_test {
namespace {

using namespace testing;  // NOLINT: test helpers

TEST_CASE("DetectFirefox: profile, origin, ls folders and the database files of a fixture",
          "[extractors][firefox]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string profile = *root + "/firefox/taskapp-clean";
  std::string origin = profile + "/storage/default/http+++127.0.0.1+8000";
  for (std::string path :
       {profile, profile + "/", origin, origin + "/ls", origin + "/ls/data.sqlite",
        profile + "/webappsstore.sqlite", profile + "/storage/ls-archive.sqlite"}) {
    INFO(path);
    CHECK(DetectFirefox(path));
    Result<SourceSpec> spec = ResolveSource(path);
    REQUIRE(spec.ok());
    CHECK(spec->kind == "firefox");
  }
  CHECK_FALSE(DetectFirefox(*root + "/chromium/taskapp-clean"));
  CHECK_FALSE(DetectFirefox(origin + "/ls/usage"));
  CHECK_FALSE(DetectFirefox(*root + "/expected/unicode.json"));
}

TEST_CASE("DetectFirefox: other folders and files are not Firefox stores",
          "[extractors][firefox][corrupt]") {
  TempDir temp;
  std::string loose = temp.Write("data.sqlite", "x");  // not inside an ls folder
  CHECK_FALSE(DetectFirefox(loose));
  CHECK_FALSE(DetectFirefox(temp.Folder("storage")));
  CHECK_FALSE(DetectFirefox(temp.path() + "/missing"));
  CHECK_FALSE(DetectFirefox(temp.Write("notes.txt", "hello")));
  // A symbolic link where a store should be is found, to be refused (not followed) and
  // reported as damage, rather than making the folder look like no store.
  std::string real = temp.Write("p/ls/data.sqlite", "x");
  fs::create_directories(temp.path() + "/q/ls");
  fs::create_symlink(real, temp.path() + "/q/ls/data.sqlite");
  CHECK(DetectFirefox(temp.path() + "/p/ls"));
  CHECK(DetectFirefox(temp.path() + "/q/ls"));
  Result<std::vector<firefox::ProfileStores>> profiles =
      firefox::FindProfiles(temp.path() + "/q/ls");
  REQUIRE(profiles.ok());
  REQUIRE(profiles->size() == 1);
  CHECK((*profiles)[0].data_files.empty());
  REQUIRE((*profiles)[0].refused.size() == 1);
  CHECK((*profiles)[0].refused[0].IsCorruption());
}

TEST_CASE("ResolveSource: firefox: names any file as a data.sqlite", "[extractors][firefox]") {
  TempDir temp;
  std::string file = temp.Write("copy-of-store.db", "x");
  Result<SourceSpec> spec = ResolveSource("firefox:" + file);
  REQUIRE(spec.ok());
  CHECK(spec->kind == "firefox");
  CHECK(spec->path == file);
  Result<std::vector<firefox::ProfileStores>> profiles = firefox::FindProfiles(file);
  REQUIRE(profiles.ok());
  REQUIRE(profiles->size() == 1);
  CHECK((*profiles)[0].data_files == std::vector<std::string>{file});
  CHECK((*profiles)[0].unit == file);
}

TEST_CASE("FindProfiles: a webappsstore.sqlite beside storage/default is marked as such",
          "[extractors][firefox]") {
  std::optional<std::string> root = FirefoxFixtureRoot();
  if (!root) {
    WARN("browser fixtures not found; skipped");
    return;
  }
  std::string profile = *root + "/firefox/multi-origin";
  Result<std::vector<firefox::ProfileStores>> profiles = firefox::FindProfiles(profile);
  REQUIRE(profiles.ok());
  REQUIRE(profiles->size() == 1);
  const firefox::ProfileStores& stores = (*profiles)[0];
  CHECK(stores.data_files.size() == 3);
  CHECK(stores.archive_file == profile + "/storage/ls-archive.sqlite");
  CHECK(stores.webapps_file == profile + "/webappsstore.sqlite");
  CHECK(stores.newer_store_beside);
  CHECK(firefox::OriginFolderOf(stores.data_files[0]) == "http+++127.0.0.1+8000");
}

}  // namespace
}  // namespace ferry::detection_test
