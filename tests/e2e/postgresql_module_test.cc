// The PostgreSQL module (loaders/postgresql_module.h, issue 19): the ferry binary links no
// libpq; only a postgresql:// source or target loads ferry-postgresql.so (and libpq with it)
// from beside the binary, and without a usable module such a run is refused, exit 2, naming
// the file and the loader's reason, while every other command works. Needs no server: the
// PostgreSQL runs here aim at a port nothing listens on, and fail after loading the module.
//
// Built only with -DFERRY_PG_MODULE=ON (tests/CMakeLists.txt): with OFF the binary links
// libpq, as before.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"

#if FERRY_PG_MODULE_BUILD

namespace ferry::e2e::postgresql_module_test {

namespace {

namespace fs = std::filesystem;

std::string ChromiumProfile() { return (SourceDir() / "examples/chromium-taskapp").string(); }
std::string ExampleDump() { return (SourceDir() / "examples/taskapp-dump.json").string(); }

// A postgresql:// URL of 127.0.0.1 at a port nothing listens on (bound to find it, released).
std::string RefusingUrl() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t size = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  ::close(fd);
  return "postgresql://ferry@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/none";
}

// Runs `binary ARGS...` (shell-quoted) with its stderr kept.
CommandResult RunBinary(const std::string& binary, const std::string& args) {
  TempDir scratch;
  CommandResult result =
      RunShell("'" + binary + "' " + args + " 2>'" + (scratch / "stderr") + "' </dev/null");
  result.err = ReadFile(scratch / "stderr");
  UNSCOPED_INFO("exit " << result.exit_code << "\nstderr:\n" << result.err);
  return result;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("module: an export and a SQLite run never load libpq", "[e2e][pg_module]") {
  // LD_DEBUG=libs: the dynamic loader names, on stderr, each library it looks for.
  CommandResult exported =
      RunFerry({"export", "chromium:" + ChromiumProfile()}, {{"LD_DEBUG", "libs"}});
  REQUIRE(exported.exit_code == 0);
  CHECK(Has(exported.out, "http://127.0.0.1:8000"));
  CHECK(Has(exported.err, "libsqlite3"));  // the loader did report what it loaded
  CHECK_FALSE(Has(exported.err, "libpq"));
  CHECK_FALSE(Has(exported.err, "ferry-postgresql"));

  TempDir dir;
  CommandResult migrated =
      RunFerry({"migrate", ExampleDump(), "--user-id", "u1", "--target", "sqlite:" + (dir / "t.db"),
                "--no-backup", "--dry-run", "--continue-on-error"},
               {{"LD_DEBUG", "libs"}});
  CHECK(Has(migrated.err, "libsqlite3"));
  CHECK_FALSE(Has(migrated.err, "libpq"));
  CHECK_FALSE(Has(migrated.err, "ferry-postgresql"));
}

TEST_CASE("module: a postgresql:// target loads the module beside the binary", "[e2e][pg_module]") {
  CommandResult run = RunFerry(
      {"migrate", ExampleDump(), "--user-id", "u1", "--target", RefusingUrl(), "--no-backup"},
      {{"LD_DEBUG", "libs"}, {"PGCONNECT_TIMEOUT", "5"}});
  CHECK(run.exit_code == 2);  // the refused connection, as connection_refused_test
  std::string module = (fs::path(FERRY_BINARY).parent_path() / "ferry-postgresql.so").string();
  CHECK(Has(run.err, "calling init: " + module));
  CHECK(Has(run.err, "libpq.so"));
  CHECK_FALSE(Has(run.err, "cannot be loaded"));
}

TEST_CASE("module: without a usable module, PostgreSQL is refused and the rest works",
          "[e2e][pg_module]") {
  TempDir dir;
  std::string binary = dir / "ferry";
  fs::copy_file(FERRY_BINARY, binary);
  std::string module = dir / "ferry-postgresql.so";
  std::string url = RefusingUrl();

  for (const char* args : {"--version", "--help", "migrate --help"}) {
    CHECK(RunBinary(binary, args).exit_code == 0);
  }
  CommandResult exported = RunBinary(binary, "export 'chromium:" + ChromiumProfile() + "'");
  CHECK(exported.exit_code == 0);
  CHECK(Has(exported.out, "http://127.0.0.1:8000"));

  SECTION("missing") {
    CommandResult target = RunBinary(
        binary, "migrate '" + ExampleDump() + "' --user-id u1 --no-backup --target '" + url + "'");
    CHECK(target.exit_code == 2);
    CHECK(Has(target.err, "the PostgreSQL module " + module + " cannot be loaded: "));
    CHECK(Has(target.err, "No such file or directory"));
    CommandResult source = RunBinary(binary, "inspect '" + url + "'");
    CHECK(source.exit_code == 2);
    CHECK(Has(source.err, "the PostgreSQL module " + module + " cannot be loaded: "));
  }
  SECTION("not a shared object") {
    std::ofstream(module) << std::string(200, 'x') << "\n";
    CommandResult target = RunBinary(
        binary, "migrate '" + ExampleDump() + "' --user-id u1 --no-backup --target '" + url + "'");
    CHECK(target.exit_code == 2);
    CHECK(Has(target.err, "the PostgreSQL module " + module + " cannot be loaded: "));
    CHECK(Has(target.err, "invalid ELF header"));
    CHECK_FALSE(Has(target.err, "Connection refused"));
  }
}

}  // namespace ferry::e2e::postgresql_module_test

#endif  // FERRY_PG_MODULE_BUILD
