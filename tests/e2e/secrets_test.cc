// The secrets test of issue 17 ("Done when"): a run with every secret ferry is given or reads
// (a backup passphrase, a field key, a password in the target URL, githubTokens in the data)
// goes through migrate, backup list/verify/restore and validate, and through commands that
// fail; then every output is searched for each secret: stdout and stderr of each command (with
// the debug log and the JSON progress lines), the reports (JSON and HTML), the reject file,
// every file ferry left in its folders (the archive, whose header is the unencrypted part), and
// ferry's bookkeeping in the target. No hit is allowed.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::secrets_test {

namespace {

namespace fs = std::filesystem;

constexpr char kPassphrase[] = "correct horse battery staple 1917";
constexpr char kFieldKey[] = "5365637265742066696565646b6579212121212121212121212121212121210a";

struct Secrets {
  std::vector<std::string> texts;  // each must appear nowhere

  void Check(const std::string& where, const std::string& text) const {
    for (const std::string& secret : texts) {
      INFO(where << " holds a secret");
      CHECK(text.find(secret) == std::string::npos);
    }
  }
};

std::string EncryptingMapping(const fs::path& dir) {
  fs::copy(SourceDir() / "schemas/taskapp", dir / "taskapp");
  std::string path = (dir / "taskapp/mapping.yaml").string();
  std::string yaml = ReadFile(path);
  auto replace = [&yaml](const std::string& from, const std::string& to) {
    size_t at = yaml.find(from);
    REQUIRE(at != std::string::npos);
    yaml.replace(at, from.size(), to);
  };
  replace("sensitive: [config.githubToken]", "sensitive: {config.githubToken: encrypt}");
  replace("config: {type: json, from: config, drop: [githubToken]}",
          "config: {type: json, from: config}");
  std::ofstream(path) << yaml;
  return path;
}

// Runs ferry with the debug log on, checks both of its outputs, returns the result.
CommandResult Run(const Secrets& secrets, std::vector<std::string> args,
                  const std::map<std::string, std::string>& env) {
  args.insert(args.begin(), {"--log-level", "debug"});
  CommandResult result = RunFerry(args, env);
  secrets.Check("stdout of ferry " + args[2], result.out);
  secrets.Check("stderr of ferry " + args[2], result.err);
  return result;
}

// migrate, backup list/verify/restore, validate, rollback, and failing commands, on `target_url`;
// then every file under `out`.
void RunEverything(const Secrets& secrets, const std::string& target_url,
                   const std::string& bad_target_url) {
  TempDir in;
  TempDir out;
  std::string dump = in / "dump.json";
  fs::copy_file(SourceDir() / "examples/taskapp-dump.json", dump);
  REQUIRE(ReadFile(dump).find("ghp_") != std::string::npos);
  std::string mapping = EncryptingMapping(in.path());
  std::map<std::string, std::string> env = {{"FERRY_BACKUP_PASSPHRASE", kPassphrase},
                                            {"FERRY_FIELD_KEY", kFieldKey},
                                            {"XDG_DATA_HOME", out / "data"},
                                            {"XDG_CONFIG_HOME", out / "config"},
                                            {"HOME", out / "home"},
                                            {"PGPASSWORD", ""}};
  std::string backups = out / "backups";

  CommandResult migrate =
      Run(secrets,
          {"migrate", dump, "--user-id", "demo", "--target", target_url, "--mapping", mapping,
           "--continue-on-error", "--progress", "json", "--report", out / "report.json", "--report",
           out / "report.html", "--rejects", out / "rejects.ndjson", "--backup-dir", backups},
          env);
  REQUIRE(migrate.exit_code == 3);
  REQUIRE(fs::exists(out / "rejects.ndjson"));
  CommandResult list = Run(secrets, {"backup", "--backup-dir", backups, "list"}, env);
  REQUIRE(list.exit_code == 0);
  std::string id = list.out.substr(0, list.out.find(' '));
  CHECK(Run(secrets, {"backup", "--backup-dir", backups, "verify", id}, env).exit_code == 0);
  CHECK(
      Run(secrets, {"backup", "--backup-dir", backups, "restore", id, "--to", in / "restored"}, env)
          .exit_code == 0);
  CommandResult validate = Run(secrets,
                               {"validate", "--target", target_url, "--backup-dir", backups,
                                "--report", out / "validate.json"},
                               env);
  CHECK(validate.exit_code == 0);
  fs::remove(dump);  // the source gone: validate reads the run's backup
  CHECK(
      Run(secrets, {"validate", "--target", target_url, "--backup-dir", backups}, env).exit_code ==
      0);
  // The way back, with the same secrets about: a dry run, then the rollback itself.
  std::string report = ReadFile(out / "report.json");
  size_t at = report.find("\"run_id\":\"");
  REQUIRE(at != std::string::npos);
  at += 10;
  std::string run_id = report.substr(at, report.find('"', at) - at);
  CHECK(Run(secrets,
            {"rollback", "--run", run_id, "--target", target_url, "--backup-dir", backups,
             "--dry-run"},
            env)
            .exit_code == 0);
  CHECK(Run(secrets, {"rollback", "--run", run_id, "--target", target_url, "--backup-dir", backups},
            env)
            .exit_code == 0);

  // Failures: a wrong passphrase, a wrong field key, an unreachable or refusing target.
  std::map<std::string, std::string> wrong = env;
  wrong["FERRY_BACKUP_PASSPHRASE"] = "not the passphrase";
  CHECK(Run(secrets, {"backup", "--backup-dir", backups, "verify", id}, wrong).exit_code == 1);
  wrong = env;
  wrong["FERRY_FIELD_KEY"] = std::string(kFieldKey).substr(2) + "zz";
  CHECK(Run(secrets,
            {"migrate", (SourceDir() / "examples/taskapp-dump.json").string(), "--user-id", "demo",
             "--target", target_url, "--mapping", mapping, "--backup-dir", backups},
            wrong)
            .exit_code == 2);
  CHECK(Run(secrets,
            {"migrate", (SourceDir() / "examples/taskapp-dump.json").string(), "--user-id", "demo",
             "--target", bad_target_url, "--mapping", mapping, "--progress", "json", "--backup-dir",
             backups, "--retries", "0"},
            env)
            .exit_code != 0);

  size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(out.path())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    secrets.Check(entry.path().string(), ReadFile(entry.path().string()));
  }
  CHECK(files >= 5);  // the reports, the reject file, the archive
}

}  // namespace

TEST_CASE("secrets: no passphrase, field key or token in any output (SQLite)",
          "[e2e][secrets][sqlite]") {
  TempDir db;
  Secrets secrets{{kPassphrase, kFieldKey, "ghp_"}};
  RunEverything(secrets, "sqlite:" + (db / "t.db"), "sqlite:" + (db / "missing/dir/t.db"));
}

TEST_CASE("secrets: no passphrase, field key, token or URL password in any output (PostgreSQL)",
          "[e2e][secrets][postgres]") {
  std::optional<std::string> server = PostgresTestUrl();
  if (!server) return;
  const char* password = std::getenv("FERRY_TEST_PG_PASSWORD");
  REQUIRE(password != nullptr);
  std::string user = std::getenv("FERRY_TEST_PG_PASSWORD_USER");
  std::string host = std::getenv("FERRY_TEST_PG_TCP_HOST");
  std::string port = std::getenv("FERRY_TEST_PG_TCP_PORT");
  PostgresDatabase database(*server);  // of its own: the password role owns it
  {
    pqxx::connection connection(*server);
    pqxx::nontransaction txn(connection);
    txn.exec0("ALTER DATABASE " + txn.quote_name(database.name()) + " OWNER TO " +
              txn.quote_name(user));
  }
  auto url = [&](const std::string& secret) {
    return "postgresql://" + user + ":" + secret + "@" + host + ":" + port + "/" + database.name();
  };
  Secrets secrets{{kPassphrase, kFieldKey, "ghp_", password}};
  // The refusing target: the same URL with a wrong password, itself a secret.
  std::string wrong_password = std::string(password) + "x";
  secrets.texts.push_back(wrong_password);
  RunEverything(secrets, url(password), url(wrong_password));
  pqxx::connection connection(url(password));
  pqxx::nontransaction txn(connection);
  for (const char* sql : {"SELECT coalesce(string_agg(r::text, ' '), '') FROM ferry.runs r",
                          "SELECT coalesce(string_agg(a::text, ' '), '') FROM ferry.audit_log a",
                          "SELECT coalesce(string_agg(e::text, ' '), '') FROM environments e"}) {
    secrets.Check(sql, txn.exec1(sql)[0].c_str());
  }
}

}  // namespace ferry::e2e::secrets_test
