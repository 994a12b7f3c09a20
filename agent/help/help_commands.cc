#include "agent/help/help_commands.h"

#include <iostream>

#include "agent/exit_codes_help.h"
#include "agent/help/completion.h"
#include "agent/help/man_page.h"

namespace ferry {

void AddHelpCommands(CLI::App& root, int* exit_code) {
  CLI::App* man = root.add_subcommand(
      "man",
      "Print ferry's man page (roff, from the same definitions as --help): man -l <(ferry man), "
      "or save it as ferry.1 in a man1 folder");
  const char* codes = "0 printed; 2 usage (completion: a shell other than bash, zsh or fish)";
  SetExitCodesHelp(man, codes);
  man->callback([&root, exit_code]() {
    std::cout << RenderManPage(DescribeCli(root), FERRY_VERSION);
    *exit_code = 0;
  });
  auto shell = std::make_shared<std::string>();
  CLI::App* completion = root.add_subcommand(
      "completion",
      "Print a shell completion script for commands, options, their values and file names: "
      "source <(ferry completion bash)");
  SetExitCodesHelp(completion, codes);
  completion->add_option("shell", *shell, "The shell: bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  completion->callback([&root, exit_code, shell]() {
    Result<std::string> script = RenderCompletion(DescribeCli(root), *shell);
    if (!script.ok()) {
      std::cerr << "ferry completion: " << script.status().message() << "\n";
      *exit_code = 2;
      return;
    }
    std::cout << *script;
    *exit_code = 0;
  });
}

}  // namespace ferry
