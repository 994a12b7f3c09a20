// `sensitive: encrypt` end to end on every target (issue 17 item 7): the taskapp mapping with
// config.githubToken encrypted instead of dropped; the token read back from the target is
// opened with libsodium directly (tests/transformers/open_sealed_field.h), with the row's ULID;
// no run without the field key writes anything.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"
#include "tests/transformers/open_sealed_field.h"

namespace ferry::e2e::sensitive_fields_test {

namespace {

constexpr char kFieldKey[] = "4a6f686e20446f6e6e6520776173206865726520696e2032303236212121210a";
constexpr char kBackupKey[] = "8f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";

void Replace(std::string* text, const std::string& from, const std::string& to) {
  size_t at = text->find(from);
  REQUIRE(at != std::string::npos);
  text->replace(at, from.size(), to);
}

// The bundled taskapp mapping (with its schemas) in `dir`, config.githubToken encrypted and
// kept in `config`, the form drafts' githubToken dropped by the map form.
std::string EncryptingMapping(const TempDir& dir) {
  std::filesystem::copy(SourceDir() / "schemas/taskapp", dir.path() / "taskapp");
  std::string path = dir / "taskapp/mapping.yaml";
  std::string yaml = ReadFile(path);
  Replace(&yaml, "sensitive: [config.githubToken]", "sensitive: {config.githubToken: encrypt}");
  Replace(&yaml, "config: {type: json, from: config, drop: [githubToken]}",
          "config: {type: json, from: config}");
  Replace(&yaml, "sensitive: [githubToken]", "sensitive: {githubToken: drop}");
  std::ofstream(path) << yaml;
  return path;
}

}  // namespace

TEST_CASE("sensitive encrypt: the token is stored sealed, and libsodium opens it with the ULID",
          "[e2e][sensitive][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string mapping = EncryptingMapping(work);
    std::vector<std::string> migrate = {"migrate",
                                        (SourceDir() / "examples/taskapp-dump.json").string(),
                                        "--user-id",
                                        "demo",
                                        "--target",
                                        target->url(),
                                        "--mapping",
                                        mapping,
                                        "--continue-on-error",
                                        "--progress",
                                        "none",
                                        "--rejects",
                                        work / "rejects.ndjson",
                                        "--backup-dir",
                                        work / "b"};
    std::map<std::string, std::string> env = {{"FERRY_BACKUP_KEY", kBackupKey}};

    // Without the field key: refused before anything is written.
    CommandResult refused = RunFerry(migrate, env);
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("FERRY_FIELD_KEY"));
    CHECK_FALSE(target->Touched());
    env["FERRY_FIELD_KEY"] = "not-hex";
    CHECK(RunFerry(migrate, env).exit_code == 2);
    CHECK_FALSE(target->Touched());

    env["FERRY_FIELD_KEY"] = kFieldKey;
    CommandResult run = RunFerry(migrate, env);
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 3);
    // Searched here, not with LIKE: its '_' matches any character and SQLite's ignores case,
    // so a sealed value holding "GhPx" by chance failed the check (one run in ~100).
    for (const auto& row : target->Query("SELECT CAST(config AS TEXT) FROM environments")) {
      CHECK(row.at(0).find("ghp_") == std::string::npos);
    }
    std::vector<std::vector<std::string>> rows =
        target->Query("SELECT id, config FROM environments WHERE legacy_id = 'env-1'");
    REQUIRE(rows.size() == 1);
    nlohmann::json config = nlohmann::json::parse(rows[0][1]);
    CHECK(config["region"] == "us-east-1");
    std::string sealed = config["githubToken"];
    CHECK(test::OpenSealedField(sealed, kFieldKey, rows[0][0]) ==
          std::string("\"ghp_IcySJIO7f9PzFm2nNSoauWVL4muR8wXM0Wo9\""));
    CHECK_FALSE(test::OpenSealedField(sealed, kFieldKey, "01HZZZZZZZZZZZZZZZZZZZZZZZ"));
    CHECK(target->Count("SELECT count(*) FROM form_data WHERE CAST(data AS TEXT) LIKE "
                        "'%githubToken%'") == 0);

    // The same run again changes nothing, and validate finds every row as the run writes it.
    std::string fingerprint = target->Fingerprint();
    CommandResult validate =
        RunFerry({"validate", "--target", target->url(), "--backup-dir", work / "b"}, env);
    INFO(validate.out << validate.err);
    CHECK(validate.exit_code == 0);
    CHECK(target->Fingerprint() == fingerprint);
  }
}

}  // namespace ferry::e2e::sensitive_fields_test
