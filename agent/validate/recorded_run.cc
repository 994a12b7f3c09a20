#include "agent/validate/recorded_run.h"

namespace ferry {

Result<std::vector<std::string>> SplitRecordedArguments(const std::string& text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    std::string word;
    if (text[i] != '"') {
      size_t end = text.find(' ', i);
      if (end == std::string::npos) end = text.size();
      words.push_back(text.substr(i, end - i));
      i = end;
      continue;
    }
    ++i;  // the opening quote
    bool closed = false;
    while (i < text.size() && !closed) {
      char c = text[i++];
      if (c == '\\' && i < text.size()) {
        word += text[i++];
      } else if (c == '"') {
        closed = true;
      } else {
        word += c;
      }
    }
    if (!closed) {
      return Status::InvalidArgument("recorded arguments: a quote is not closed");
    }
    words.push_back(std::move(word));
  }
  return words;
}

Result<MigrateOptions> OptionsOfRecordedRun(const std::string& arguments) {
  FERRY_ASSIGN_OR_RETURN(std::vector<std::string> words, SplitRecordedArguments(arguments));
  if (words.size() < 2 || words[0] != "ferry" || words[1] != "migrate") {
    return Status::InvalidArgument("recorded arguments are not a ferry migrate run");
  }
  MigrateOptions options;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word.rfind("--", 0) != 0) {
      options.sources.push_back(word);
      continue;
    }
    if (word == "--strict-unicode") {
      options.strict_unicode = true;
      continue;
    }
    if (i + 1 >= words.size()) {
      return Status::InvalidArgument("recorded arguments: " + word + " without its value");
    }
    const std::string& value = words[++i];
    if (word == "--target") {
      continue;  // the caller's target is used: a recorded URL has no password
    } else if (word == "--mapping") {
      options.mapping_file = value == "(bundled)" ? "" : value;
    } else if (word == "--user-id") {
      options.user_id = value;
    } else if (word == "--user-id-from") {
      options.user_id_from = value;
    } else if (word == "--origin") {
      options.origins.push_back(value);
    } else if (word == "--include") {
      options.include.push_back(value);
    } else if (word == "--exclude") {
      options.exclude.push_back(value);
    } else if (word == "--conflict" && value == "interactive") {
      // Decided record by record: the caller reads the decisions from the audit log.
      options.interactive = true;
      options.conflict = ConflictPolicy::kOverwrite;
    } else if (word == "--conflict") {
      options.conflict = ParseConflictPolicy(value);
      if (!options.conflict) {
        return Status::InvalidArgument("recorded arguments: --conflict " + value);
      }
    } else {
      return Status::InvalidArgument("recorded arguments: unknown flag " + word);
    }
  }
  return options;
}

}  // namespace ferry
