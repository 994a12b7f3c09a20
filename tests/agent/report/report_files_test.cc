#include "agent/report/report_files.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace ferry::report_files_test {

TEST_CASE("SortReportFiles: the extension picks HTML, else JSON", "[report]") {
  CHECK(IsHtmlReportPath("r.html"));
  CHECK(IsHtmlReportPath("dir.x/R.HTM"));
  CHECK_FALSE(IsHtmlReportPath("r.json"));
  CHECK_FALSE(IsHtmlReportPath("html"));
  CHECK_FALSE(IsHtmlReportPath("r.html/report"));
  Result<ReportFiles> both = SortReportFiles({"out/r.html", "out/r.json"});
  REQUIRE(both.ok());
  CHECK(both->html == "out/r.html");
  CHECK(both->json == "out/r.json");
  Result<ReportFiles> json = SortReportFiles({"report"});
  REQUIRE(json.ok());
  CHECK(json->json == "report");
  CHECK(json->html.empty());
}

TEST_CASE("SortReportFiles: two of one kind are refused", "[report]") {
  Result<ReportFiles> two = SortReportFiles({"a.html", "b.htm"});
  REQUIRE_FALSE(two.ok());
  CHECK(two.status().IsInvalidArgument());
  CHECK(two.status().message().find("a.html") != std::string::npos);
  CHECK_FALSE(SortReportFiles({"a.json", "b.json"}).ok());
}

TEST_CASE("WriteReportFile: written whole, 0600, over an older file", "[report]") {
  std::filesystem::path folder = std::filesystem::temp_directory_path() / "ferry_report_files";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  std::string path = (folder / "r.html").string();
  { std::ofstream(path) << "old and longer than the new text"; }
  ::chmod(path.c_str(), 0644);
  REQUIRE(WriteReportFile(path, "<p>new</p>").ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "<p>new</p>");
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(std::distance(std::filesystem::directory_iterator(folder),
                      std::filesystem::directory_iterator()) == 1);  // no temporary left
  CHECK_FALSE(WriteReportFile((folder / "missing/r.html").string(), "x").ok());
  std::filesystem::remove_all(folder);
}

TEST_CASE("WriteReportFile: a pipe (--report /dev/stdout) is written in place", "[report]") {
  std::filesystem::path folder = std::filesystem::temp_directory_path() / "ferry_report_pipe";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  std::string path = (folder / "pipe").string();
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  std::string got;
  std::thread reader([&] {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    got = text.str();
  });
  Status written = WriteReportFile(path, "{\"status\": \"completed\"}\n");
  reader.join();
  CHECK(written.ok());
  CHECK(got == "{\"status\": \"completed\"}\n");
  struct stat info;
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK(S_ISFIFO(info.st_mode));  // never replaced by a file renamed over it
  std::filesystem::remove_all(folder);
}

}  // namespace ferry::report_files_test
