// Unit digests (agent/run/unit_digest.h, issue 19): any changed byte of a value, key or origin,
// another order of entries, another mapping file or schema file, or another policy or filter
// gives another digest; the same inputs give the same digest.
#include "agent/run/unit_digest.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"

namespace ferry::unit_digest_test {

namespace {

std::vector<Entry> TwoEntries() {
  Entry tasks;
  tasks.unit = "u.json";
  tasks.key = "tasks";
  tasks.value = R"([{"id":1,"title":"Write the report","status":"todo"}])";
  Entry prefs = tasks;
  prefs.key = "userPreferences";
  prefs.value = R"({"theme":"dark"})";
  return {tasks, prefs};
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("UnitDigest: the same entries give the same digest, any changed byte another",
          "[agent][rerun]") {
  MigrateOptions options;
  Mapping mapping;
  std::optional<std::string> settings = SettingsDigest(options, mapping);
  REQUIRE(settings);
  const std::vector<Entry> entries = TwoEntries();
  const int64_t digest = UnitDigest(*settings, entries);
  CHECK(UnitDigest(*settings, TwoEntries()) == digest);
  // Every byte of the first value, flipped one at a time (a word-wise hash must see each).
  for (size_t i = 0; i < entries[0].value.size(); ++i) {
    std::vector<Entry> changed = entries;
    changed[0].value[i] ^= 0x01;
    INFO("byte " << i);
    CHECK(UnitDigest(*settings, changed) != digest);
  }
  std::vector<Entry> longer = entries;
  longer[1].value += " ";
  CHECK(UnitDigest(*settings, longer) != digest);
  std::vector<Entry> moved = entries;  // the same bytes across another field boundary
  moved[0].key = "task";
  moved[0].value = "s" + moved[0].value;
  CHECK(UnitDigest(*settings, moved) != digest);
  std::vector<Entry> origin = entries;
  origin[1].origin = "https://app.example";
  CHECK(UnitDigest(*settings, origin) != digest);
  std::vector<Entry> swapped = {entries[1], entries[0]};
  CHECK(UnitDigest(*settings, swapped) != digest);
  CHECK(UnitDigest(*settings, {entries[0]}) != digest);
}

TEST_CASE("SettingsDigest: another policy, filter or mapping byte gives another digest",
          "[agent][rerun]") {
  Mapping bundled;
  MigrateOptions options;
  const std::string base = *SettingsDigest(options, bundled);
  CHECK(*SettingsDigest(options, bundled) == base);
  for (ConflictPolicy policy :
       {ConflictPolicy::kSkip, ConflictPolicy::kOverwrite, ConflictPolicy::kMerge}) {
    MigrateOptions told = options;
    told.conflict = policy;  // even --conflict skip, the default spelled out: not the same mapping
    CHECK(*SettingsDigest(told, bundled) != base);
  }
  MigrateOptions include = options;
  include.include = {"tasks"};
  CHECK(*SettingsDigest(include, bundled) != base);
  MigrateOptions user = options;
  user.user_id = "demo";
  CHECK(*SettingsDigest(user, bundled) != base);
  MigrateOptions strict = options;
  strict.strict_unicode = true;
  CHECK(*SettingsDigest(strict, bundled) != base);
  MigrateOptions lenient = options;
  lenient.continue_on_error = true;
  CHECK(*SettingsDigest(lenient, bundled) != base);

  e2e::TempDir dir;
  std::filesystem::path file = dir.path() / "mapping.yaml";
  std::filesystem::path schema = dir.path() / "task.schema.json";
  WriteText(file, "version: 1\n");
  WriteText(schema, "{}");
  MigrateOptions from_file = options;
  from_file.mapping_file = file.string();
  Mapping mapping;
  EntityMapping tasks;
  tasks.schema_file = schema.string();
  mapping.entities.push_back(tasks);
  const std::string of_file = *SettingsDigest(from_file, mapping);
  CHECK(of_file != base);
  WriteText(file, "version: 2\n");
  const std::string edited = *SettingsDigest(from_file, mapping);
  CHECK(edited != of_file);
  WriteText(schema, "{ }");
  CHECK(*SettingsDigest(from_file, mapping) != edited);
  // A file that cannot be read: no digest, so that nothing is skipped on a guess.
  std::filesystem::remove(schema);
  CHECK_FALSE(SettingsDigest(from_file, mapping));
}

}  // namespace ferry::unit_digest_test
