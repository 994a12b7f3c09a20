#include "agent/help/man_page.h"

#include <catch2/catch.hpp>

namespace ferry::man_page_test {

namespace {

CommandModel Model(const std::string& description) {
  CommandModel root;
  root.name = "ferry";
  root.description = "ferry: moves data";
  CommandModel sub;
  sub.name = "migrate";
  sub.description = description;
  OptionModel option;
  option.names = {"--conflict"};
  option.takes_value = true;
  option.value_name = "skip|merge";
  option.choices = {"skip", "merge"};
  option.description = "When a row exists";
  sub.options.push_back(option);
  root.subcommands.push_back(sub);
  return root;
}

}  // namespace

TEST_CASE("RoffText: a description cannot become a roff request or escape", "[agent][help]") {
  CHECK(RoffText(".so /etc/passwd") == "\\&.so /etc/passwd");
  CHECK(RoffText("'br") == "\\&'br");
  CHECK(RoffText("a\n.TH X") == "a\n\\&.TH X");
  CHECK(RoffText("C:\\fBbold") == "C:\\efBbold");
  CHECK(RoffText("mid.dle") == "mid.dle");
}

TEST_CASE("RenderManPage: a section per command, options with their values", "[agent][help]") {
  std::string page = RenderManPage(Model("Load sources\n.so /etc/passwd"), "1.2");
  CHECK(page.find(".TH FERRY 1 \"\" \"ferry 1.2\"") != std::string::npos);
  CHECK(page.find(".SS \"ferry migrate\"") != std::string::npos);
  CHECK(page.find("\\fB\\-\\-conflict\\fR \\fIskip|merge\\fR") != std::string::npos);
  CHECK(page.find("Values: \\fBskip\\fR, \\fBmerge\\fR.") != std::string::npos);
  CHECK(page.find("\n.so") == std::string::npos);
}

}  // namespace ferry::man_page_test
