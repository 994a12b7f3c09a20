#include "agent/exit_codes_help.h"

#include <string>

namespace ferry {

void SetExitCodesHelp(CLI::App* command, std::string_view codes, std::string_view note) {
  std::string footer;
  if (!note.empty()) footer.append(note).append("\n\n");
  footer.append("Exit codes: ").append(codes);
  command->footer(footer);
}

}  // namespace ferry
