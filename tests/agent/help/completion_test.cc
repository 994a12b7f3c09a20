#include "agent/help/completion.h"

#include <catch2/catch.hpp>

namespace ferry::completion_test {

TEST_CASE("RenderCompletion: bash, zsh and fish; another shell is refused", "[agent][help]") {
  CommandModel root;
  root.name = "ferry";
  CommandModel sub;
  sub.name = "run";
  sub.description = "It's a 'quoted' thing";
  OptionModel count;
  count.names = {"--count"};
  count.takes_value = true;
  count.value_name = "INT";
  sub.options.push_back(count);
  root.subcommands.push_back(sub);
  Result<std::string> bash = RenderCompletion(root, "bash");
  REQUIRE(bash.ok());
  CHECK(bash->find("'/run --count') echo '@none'") != std::string::npos);
  CHECK(bash->find("complete -F _ferry_complete ferry") != std::string::npos);
  Result<std::string> fish = RenderCompletion(root, "fish");
  REQUIRE(fish.ok());
  // A quote in a description stays inside its quoted word.
  CHECK(fish->find("-d 'It'\\''s a '\\''quoted'\\'' thing'") != std::string::npos);
  REQUIRE(RenderCompletion(root, "zsh").ok());
  Result<std::string> other = RenderCompletion(root, "tcsh");
  CHECK_FALSE(other.ok());
  CHECK(other.status().IsInvalidArgument());
}

}  // namespace ferry::completion_test
