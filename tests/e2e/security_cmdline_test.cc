// End-to-end: a password in --target is not visible to other local users in /proc/PID/cmdline
// while the run lasts (docs/security.md).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"

namespace ferry::e2e::security_cmdline_test {
namespace {

std::string Cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("migrate: the password in --target is blanked in /proc/PID/cmdline during the run",
          "[e2e][security]") {
  // A server that accepts and never answers: the run waits on it while the test looks.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  TempDir work;
  std::string dump = work / "u.json";
  std::ofstream(dump) << R"({"tasks": "[]"})";
  std::string url =
      "postgresql://bob:Sup3rS3cretPw@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) +
      "/db?connect_timeout=20";
  FerryProcess run({"migrate", dump, "--user-id", "u1", "--target", url, "--progress", "none"},
                   {{"PGPASSWORD", ""}});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE(run.Running());
  std::string cmdline = Cmdline(run.pid());
  CHECK(cmdline.find("--target") != std::string::npos);
  CHECK(cmdline.find("Sup3rS3cretPw") == std::string::npos);
  CHECK(cmdline.find("bob:xxxxxxxxxxxxx@127.0.0.1") != std::string::npos);
  run.Signal(SIGKILL);
  run.Wait();
  ::close(listener);
}

}  // namespace
}  // namespace ferry::e2e::security_cmdline_test
