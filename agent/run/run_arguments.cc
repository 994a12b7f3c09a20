#include "agent/run/run_arguments.h"

#include <filesystem>
#include <system_error>

#include "loaders/redact_url.h"

namespace ferry {

namespace {

void AddList(std::string* out, const char* flag, const std::vector<std::string>& values) {
  for (const std::string& value : values)
    *out += std::string(" ") + flag + " " + QuotedArgument(value);
}

}  // namespace

std::string AbsoluteArgumentPath(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

std::string QuotedArgument(const std::string& value) {
  if (value.find_first_of(" \"\\") == std::string::npos && !value.empty()) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string RunArguments(const MigrateOptions& options, const std::vector<SourceSpec>& sources,
                         const TargetSpec& target) {
  std::string out = "ferry migrate";
  for (const SourceSpec& source : sources) {
    bool is_path = source.kind != "postgresql";
    out += " " + QuotedArgument(is_path ? source.kind + ":" + AbsoluteArgumentPath(source.path)
                                        : RedactUrl(source.path));
  }
  std::string target_text = target.kind == "sqlite" ? "sqlite:" + AbsoluteArgumentPath(target.path)
                                                    : RedactUrl(target.url);
  out += " --target " + QuotedArgument(target_text);
  out += " --mapping " + (options.mapping_file.empty()
                              ? std::string("(bundled)")
                              : QuotedArgument(AbsoluteArgumentPath(options.mapping_file)));
  if (!options.user_id.empty()) out += " --user-id " + QuotedArgument(options.user_id);
  if (!options.user_id_from.empty())
    out += " --user-id-from " + QuotedArgument(options.user_id_from);
  AddList(&out, "--origin", options.origins);
  AddList(&out, "--include", options.include);
  AddList(&out, "--exclude", options.exclude);
  // An interactive run is recorded as one: `ferry validate` then compares each row as the
  // decision the run recorded for it wrote it (agent/run/conflict_decision.h).
  if (options.interactive) {
    out += " --conflict interactive";
  } else if (options.conflict) {
    out += std::string(" --conflict ") + ConflictPolicyName(*options.conflict);
  }
  if (options.strict_unicode) out += " --strict-unicode";
  return out;
}

}  // namespace ferry
