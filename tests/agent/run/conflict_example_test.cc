#include "agent/run/conflict_example.h"

#include <catch2/catch.hpp>

namespace ferry::conflict_example_test {

namespace {

// config (json, from config), data (json, $record), title (text, from title).
EntityMapping Entity() {
  EntityMapping entity;
  entity.name = "environments";
  ColumnMapping config;
  config.def = {"config", ColumnType::kJson, true};
  config.field = "config";
  ColumnMapping data;
  data.def = {"data", ColumnType::kJson, true};
  data.source = ColumnSource::kRecord;
  ColumnMapping title;
  title.def = {"title", ColumnType::kText, true};
  title.field = "title";
  ColumnMapping user;
  user.def = {"user.id", ColumnType::kText, true};
  user.source = ColumnSource::kUser;
  entity.columns = {config, data, title, user};
  entity.sensitive = {"config.tokens", "secret"};
  return entity;
}

}  // namespace

TEST_CASE("ReportablePath: columns and members outside sensitive fields show as they are",
          "[agent][merge]") {
  EntityMapping entity = Entity();
  CHECK(ReportablePath(entity, "title") == "title");
  CHECK(ReportablePath(entity, "config.region") == "config.region");
  CHECK(ReportablePath(entity, "data.theme.dark") == "data.theme.dark");
  CHECK(ReportablePath(entity, "config.tokens") == "config.tokens");  // the name itself
  CHECK(ReportablePath(entity, "data.secret") == "data.secret");
}

TEST_CASE("ReportablePath: a member below a sensitive field is cut back to it",
          "[agent][merge][hostile]") {
  EntityMapping entity = Entity();
  // An object keyed by tokens: the key is the secret.
  CHECK(ReportablePath(entity, "config.tokens.ghp_abc123") == "config.tokens");
  CHECK(ReportablePath(entity, "config.tokens.ghp_abc123.scope") == "config.tokens");
  CHECK(ReportablePath(entity, "data.secret.ghp_abc123") == "data.secret");
  // A member path of a column not read from the record shows the column only.
  CHECK(ReportablePath(entity, "user.id.x") == "user.id");
}

TEST_CASE("ReportablePath: a column read from inside a sensitive field shows only its name",
          "[agent][merge][hostile]") {
  EntityMapping entity = Entity();
  entity.columns[0].field = "config.tokens.list";  // the column lies inside config.tokens
  CHECK(ReportablePath(entity, "config.ghp_abc123") == "config");
}

TEST_CASE("ReportablePath: a very long path is cut at a character boundary",
          "[agent][merge][hostile]") {
  EntityMapping entity = Entity();
  std::string path = "data." + std::string(300, 'x') + "é";
  std::string shown =
      ReportablePath(entity, "data." + std::string(kMaxExamplePathBytes - 6, 'x') + "éééé");
  CHECK(shown.size() <= kMaxExamplePathBytes + 3);
  CHECK(shown.substr(shown.size() - 3) == "...");
  // No half of a two-byte character before the dots.
  CHECK(static_cast<unsigned char>(shown[shown.size() - 4]) != 0xC3);
  CHECK(ReportablePath(entity, path).size() <= kMaxExamplePathBytes + 3);
}

TEST_CASE("MakeConflictExample: fields with decisions, at most kMaxExampleFields, rest counted",
          "[agent][merge]") {
  EntityMapping entity = Entity();
  MergeResult merge;
  for (int i = 0; i < 12; ++i) {
    merge.differed.push_back({"data.m" + std::to_string(i), MergeDecision::kIncomingNewer});
  }
  merge.differed_omitted = 5;
  ConflictExample example = MakeConflictExample(entity, "env-1", "merged", &merge);
  CHECK(example.legacy_id == "env-1");
  CHECK(example.outcome == "merged");
  CHECK(example.fields.size() == kMaxExampleFields);
  CHECK(example.decisions.size() == kMaxExampleFields);
  CHECK(example.fields[0] == "data.m0");
  CHECK(example.decisions[0] == std::string("incoming_newer"));
  CHECK(example.more_fields == 5 + 12 - kMaxExampleFields);

  ConflictExample plain = MakeConflictExample(entity, "env-2", "skipped", nullptr);
  CHECK(plain.fields.empty());
  CHECK(plain.more_fields == 0);
}

TEST_CASE("MakeConflictExample: members of one sensitive field show once, never their names",
          "[agent][merge][hostile]") {
  EntityMapping entity = Entity();
  MergeResult merge;
  merge.differed = {{"config.tokens.ghp_one", MergeDecision::kIncomingNewer},
                    {"config.tokens.ghp_two", MergeDecision::kIncomingNewer},
                    {"title", MergeDecision::kExistingNewer}};
  ConflictExample example = MakeConflictExample(entity, "env-1", "merged", &merge);
  CHECK(example.fields == std::vector<std::string>{"config.tokens", "title"});
  for (const std::string& field : example.fields) CHECK(field.find("ghp") == std::string::npos);
}

}  // namespace ferry::conflict_example_test
