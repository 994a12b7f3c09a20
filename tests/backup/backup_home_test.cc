// Every ferry the tests start (e2e::RunFerry, FerryProcess) makes a backup before it migrates,
// and on a machine without a key, a key file: both go to a scratch folder of this test process,
// never to the user's ~/.config/ferry or ~/.local/share/ferry. Set before any test runs.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <string>

namespace ferry::backup_home_test {

namespace {

class ScratchBackupHome {
 public:
  ScratchBackupHome() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("ferry-test-xdg-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
    ::setenv("XDG_CONFIG_HOME", (path_ / "config").c_str(), 1);
    ::setenv("XDG_DATA_HOME", (path_ / "data").c_str(), 1);
  }
  ~ScratchBackupHome() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const ScratchBackupHome kScratchBackupHome;

}  // namespace

TEST_CASE("backup home: the tests' ferry keeps its keys and backups in a scratch folder",
          "[backup]") {
  CHECK(std::string(::getenv("XDG_DATA_HOME")) == (kScratchBackupHome.path() / "data").string());
}

}  // namespace ferry::backup_home_test
