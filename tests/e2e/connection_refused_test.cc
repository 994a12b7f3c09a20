// A PostgreSQL target that cannot be reached at the start (issue 12 item 8): nothing listens on
// the port. That is a configuration error, not a lost connection: exit 2 within a few seconds
// (no retries), with libpq's own reason naming host and port, and never the password. Needs no
// server: the port is one the test found free.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/e2e/ferry_process.h"

namespace ferry::e2e::connection_refused_test {

namespace {

// A TCP port of 127.0.0.1 that nothing listens on (bound to find it, then released).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t size = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

constexpr const char* kPassword = "Refused-Secret-4711";

}  // namespace

TEST_CASE("migrate: a refused first connection is a configuration error within seconds",
          "[e2e][postgres][connection]") {
  std::string port = std::to_string(FreePort());
  TempDir work;
  const std::string targets[] = {
      "postgresql://ferry:" + std::string(kPassword) + "@127.0.0.1:" + port + "/app",
      "host=127.0.0.1 port=" + port + " dbname=app user=ferry password=" + kPassword,
  };
  for (const std::string& target : targets) {
    for (bool dry_run : {false, true}) {
      INFO((dry_run ? "--dry-run, " : "") << (target[0] == 'h' ? "keyword/value" : "URL"));
      std::vector<std::string> args = {
          "migrate", ExampleDump(), "--user-id", "u",         "--target",
          target,    "--progress",  "none",      "--rejects", work / "rejects.ndjson"};
      if (dry_run) args.push_back("--dry-run");
      FerryProcess run(args, {{"PGPASSWORD", ""}});
      CommandResult result = run.Wait();
      INFO(Describe(result));
      CHECK(result.exit_code == 2);
      CHECK(run.elapsed().count() < 5.0);  // eight retries took about 50 s
      CHECK(result.err.find("Connection refused") != std::string::npos);  // libpq's reason
      CHECK(result.err.find("127.0.0.1") != std::string::npos);
      CHECK(result.err.find(port) != std::string::npos);
      CHECK(result.err.find("the connection was lost") == std::string::npos);
      CHECK(result.err.find("retry") == std::string::npos);
      CHECK(result.err.find(kPassword) == std::string::npos);
      CHECK(result.out.find(kPassword) == std::string::npos);
    }
  }
  // The administration commands connect the same way.
  CommandResult status = RunFerry({"status", "--target", targets[0]});
  CHECK(status.exit_code == 2);
  CHECK(status.err.find("Connection refused") != std::string::npos);
  CHECK(status.err.find(kPassword) == std::string::npos);
}

}  // namespace ferry::e2e::connection_refused_test
