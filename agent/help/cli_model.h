// CliModel: the commands and options of ferry's command line as data, read from the CLI11
// definitions themselves, so that the man page and the shell completions made from it
// (agent/help/man_page.h, agent/help/completion.h) cannot drift from what ferry parses.
//
// Thread safety: built once from a finished CLI::App; plain values afterwards.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace ferry {

struct OptionModel {
  std::vector<std::string> names;    // "--report", "-h"; empty for a positional
  std::string positional;            // a positional's name ("sources"); else empty
  std::string value_name;            // "TEXT", "INT", "skip|overwrite|merge"; empty for a flag
  std::vector<std::string> choices;  // the values it takes, when a fixed list
  std::string description;
  bool required = false;
  bool takes_value = false;
};

struct CommandModel {
  std::string name;  // "migrate"; the root's is "ferry"
  std::string description;
  std::string footer;                    // notes and exit codes (agent/exit_codes_help.h)
  std::vector<OptionModel> options;      // named options, in the order defined
  std::vector<OptionModel> positionals;  // in order
  std::vector<CommandModel> subcommands;
};

// The model of `app` and, recursively, its subcommands. Help and version flags are included.
CommandModel DescribeCli(const CLI::App& app);

// The fixed values in a CLI11 type name: "TEXT:{a,b}" (CLI::IsMember) or "a|b|c"; else none.
std::vector<std::string> ChoicesOf(const std::string& type_name);

// The first sentence of `text` (up to ". ", "; " or ": "), at most `max_bytes` long.
std::string Summary(const std::string& text, size_t max_bytes = 80);

}  // namespace ferry
