#include "agent/help/cli_model.h"

#include <catch2/catch.hpp>

namespace ferry::cli_model_test {

TEST_CASE("ChoicesOf: CLI11 IsMember sets and a|b lists; anything else is no list",
          "[agent][help]") {
  CHECK(ChoicesOf("TEXT:{bash,zsh,fish}") == std::vector<std::string>{"bash", "zsh", "fish"});
  CHECK(ChoicesOf("skip|overwrite|merge") ==
        std::vector<std::string>{"skip", "overwrite", "merge"});
  CHECK(ChoicesOf("TEXT").empty());
  CHECK(ChoicesOf("FLOAT:FLOAT in [0 - 3600]").empty());
  CHECK(ChoicesOf("a|b c").empty());  // not words: no list
  CHECK(ChoicesOf("TEXT:{a,$(x)}").empty());
}

TEST_CASE("Summary: the first clause, cut at a word", "[agent][help]") {
  CHECK(Summary("Load sources into the target: validate, map") == "Load sources into the target");
  CHECK(Summary("One. Two") == "One");
  std::string cut = Summary(std::string(30, 'a') + " " + std::string(60, 'b'), 40);
  CHECK(cut == std::string(30, 'a') + "...");
}

TEST_CASE("DescribeCli: commands, options, flags and positionals as CLI11 defines them",
          "[agent][help]") {
  CLI::App app{"tool: does things"};
  std::string level;
  app.add_option("--level", level, "How loud")->check(CLI::IsMember({"low", "high"}));
  CLI::App* run = app.add_subcommand("run", "Run it");
  bool dry = false;
  std::vector<std::string> files;
  run->add_flag("--dry-run", dry, "Write nothing");
  run->add_option("files", files, "What to read")->required();
  CLI::App* hidden = app.add_subcommand("secret", "Not shown");
  hidden->group("");
  CommandModel model = DescribeCli(app);
  CHECK(model.name == "ferry");
  REQUIRE(model.subcommands.size() == 1);  // the hidden one is left out, as --help does
  const OptionModel& level_option = model.options.back();
  CHECK(level_option.names == std::vector<std::string>{"--level"});
  CHECK(level_option.takes_value);
  CHECK(level_option.choices == std::vector<std::string>{"low", "high"});
  CHECK(level_option.value_name == "low|high");
  const CommandModel& sub = model.subcommands[0];
  CHECK(sub.name == "run");
  REQUIRE(sub.positionals.size() == 1);
  CHECK(sub.positionals[0].positional == "files");
  CHECK(sub.positionals[0].required);
  const OptionModel& flag = sub.options.back();
  CHECK(flag.names == std::vector<std::string>{"--dry-run"});
  CHECK_FALSE(flag.takes_value);
}

}  // namespace ferry::cli_model_test
