#include "backup/key_source.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>

#include "tests/backup/backup_test_util.h"
#include "tests/e2e/e2e_util.h"

namespace ferry::backup::key_source_test {

namespace {

constexpr char kHexKey[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// A process environment made of `vars`, not a terminal unless `prompts` are given.
struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  std::vector<std::string> prompts;
  size_t asked = 0;

  KeyEnvironment Make(const std::string& key_file) {
    KeyEnvironment env;
    env.get_env = [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
    env.interactive = !prompts.empty();
    env.prompt = [this](const std::string&) -> Result<SecretBytes> {
      REQUIRE(asked < prompts.size());
      return SecretBytes(prompts[asked++]);
    };
    env.default_key_file = key_file;
    return env;
  }
};

}  // namespace

TEST_CASE("KeySource: a first run without any key generates a private key file", "[backup]") {
  e2e::TempDir dir;
  FakeEnvironment fake;
  std::string key_file = dir / "config/ferry/backup.key";
  std::string generated;
  auto key = ResolveKeyForWriting({}, fake.Make(key_file), &generated);
  REQUIRE(key.ok());
  CHECK(key->kind == KeyMaterial::Kind::kRawKey);
  CHECK(generated == key_file);
  struct stat st {};
  REQUIRE(::stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((dir / "config/ferry").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  // The second run uses it, and reading finds it too.
  auto again = ResolveKeyForWriting({}, fake.Make(key_file), &generated);
  REQUIRE(again.ok());
  CHECK(generated.empty());
  CHECK(again->secret.view() == key->secret.view());
  auto read = ResolveKeyForReading(KeyKind::kRawKey, {}, fake.Make(key_file));
  REQUIRE(read.ok());
  CHECK(read->secret.view() == key->secret.view());
}

TEST_CASE("KeySource: on a terminal the passphrase is asked twice and must match", "[backup]") {
  e2e::TempDir dir;
  FakeEnvironment same{{}, {"horse battery", "horse battery"}};
  std::string generated;
  auto key = ResolveKeyForWriting({}, same.Make(dir / "none.key"), &generated);
  REQUIRE(key.ok());
  CHECK(key->kind == KeyMaterial::Kind::kPassphrase);
  CHECK(key->secret.view() == "horse battery");
  CHECK(generated.empty());
  FakeEnvironment differ{{}, {"one", "two"}};
  auto bad = ResolveKeyForWriting({}, differ.Make(dir / "none.key"), &generated);
  CHECK(bad.status().IsInvalidArgument());
  CHECK_FALSE(std::filesystem::exists(dir / "none.key"));
}

TEST_CASE("KeySource: flags, then the environment, and no secret in a message", "[backup]") {
  e2e::TempDir dir;
  testing::WriteBytes(dir / "pass", "from the file\n");
  FakeEnvironment fake{{{"FERRY_BACKUP_PASSPHRASE", "from env"}}, {}};
  std::string generated;
  auto key = ResolveKeyForWriting({"", dir / "pass"}, fake.Make(dir / "k"), &generated);
  REQUIRE(key.ok());
  CHECK(key->secret.view() == "from the file");
  key = ResolveKeyForWriting({}, fake.Make(dir / "k"), &generated);
  REQUIRE(key.ok());
  CHECK(key->secret.view() == "from env");
  fake.vars["FERRY_BACKUP_KEY"] = kHexKey;
  CHECK(ResolveKeyForWriting({}, fake.Make(dir / "k"), &generated).status().IsInvalidArgument());
  fake.vars.erase("FERRY_BACKUP_PASSPHRASE");
  key = ResolveKeyForWriting({}, fake.Make(dir / "k"), &generated);
  REQUIRE(key.ok());
  CHECK(key->kind == KeyMaterial::Kind::kRawKey);
  CHECK(key->secret.data()[31] == 0x1f);
  fake.vars["FERRY_BACKUP_KEY"] = "secret-but-not-hex-0123456789";
  auto bad = ResolveKeyForWriting({}, fake.Make(dir / "k"), &generated);
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message().find("secret-but-not-hex") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "k"));
}

TEST_CASE("KeySource: reading asks for what the archive was sealed with", "[backup]") {
  e2e::TempDir dir;
  FakeEnvironment fake{{{"FERRY_BACKUP_KEY", kHexKey}}, {}};
  auto passphrase = ResolveKeyForReading(KeyKind::kPassphrase, {}, fake.Make(dir / "k"));
  CHECK(passphrase.status().IsInvalidArgument());
  CHECK_THAT(passphrase.status().message(), Catch::Contains("sealed with a passphrase"));
  auto key = ResolveKeyForReading(KeyKind::kRawKey, {}, fake.Make(dir / "k"));
  REQUIRE(key.ok());
  FakeEnvironment none;
  auto missing = ResolveKeyForReading(KeyKind::kRawKey, {}, none.Make(dir / "k"));
  CHECK(missing.status().IsInvalidArgument());
  CHECK_FALSE(std::filesystem::exists(dir / "k"));  // reading never makes a key
  FakeEnvironment terminal{{}, {"asked"}};
  auto asked = ResolveKeyForReading(KeyKind::kPassphrase, {}, terminal.Make(dir / "k"));
  REQUIRE(asked.ok());
  CHECK(asked->secret.view() == "asked");
  CHECK(terminal.asked == 1);
}

}  // namespace ferry::backup::key_source_test
