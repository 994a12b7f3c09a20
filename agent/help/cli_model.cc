#include "agent/help/cli_model.h"

namespace ferry {

namespace {

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool IsWord(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

OptionModel Describe(const CLI::Option& option) {
  OptionModel model;
  for (const std::string& name : option.get_lnames()) model.names.push_back("--" + name);
  for (const std::string& name : option.get_snames()) model.names.push_back("-" + name);
  if (model.names.empty()) model.positional = option.get_name(true);
  // A flag (--dry-run, --help) takes no value: its type size is 0.
  model.takes_value = option.get_type_size_min() > 0 && !option.get_type_name().empty();
  if (model.takes_value) model.value_name = option.get_type_name();
  model.choices = ChoicesOf(model.value_name);
  if (!model.choices.empty()) {
    model.value_name.clear();
    for (const std::string& choice : model.choices) {
      model.value_name += (model.value_name.empty() ? "" : "|") + choice;
    }
  }
  model.description = option.get_description();
  model.required = option.get_required();
  return model;
}

}  // namespace

std::vector<std::string> ChoicesOf(const std::string& type_name) {
  size_t open = type_name.find('{');
  if (open != std::string::npos && type_name.back() == '}') {
    std::vector<std::string> choices =
        Split(type_name.substr(open + 1, type_name.size() - open - 2), ',');
    for (const std::string& choice : choices) {
      if (!IsWord(choice)) return {};
    }
    return choices;
  }
  if (type_name.find('|') == std::string::npos) return {};
  std::vector<std::string> choices = Split(type_name, '|');
  for (const std::string& choice : choices) {
    if (!IsWord(choice)) return {};
  }
  return choices;
}

std::string Summary(const std::string& text, size_t max_bytes) {
  size_t end = text.size();
  for (const char* stop : {". ", "; ", ": ", " ("}) {
    size_t at = text.find(stop);
    if (at != std::string::npos && at < end) end = at;
  }
  std::string summary = text.substr(0, end);
  if (summary.size() > max_bytes) {
    size_t cut = summary.rfind(' ', max_bytes - 3);
    summary = summary.substr(0, cut == std::string::npos ? max_bytes - 3 : cut) + "...";
  }
  return summary;
}

CommandModel DescribeCli(const CLI::App& app) {
  CommandModel model;
  model.name = app.get_parent() == nullptr ? "ferry" : app.get_name();
  model.description = app.get_description();
  model.footer = app.get_footer();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) continue;  // hidden from --help: hidden here too
    OptionModel described = Describe(*option);
    (described.names.empty() ? model.positionals : model.options).push_back(std::move(described));
  }
  auto shown = [](const CLI::App* sub) { return !sub->get_group().empty(); };
  for (const CLI::App* sub : app.get_subcommands(shown)) {
    model.subcommands.push_back(DescribeCli(*sub));
  }
  return model;
}

}  // namespace ferry
