#include "agent/rekey/recorded_rekey.h"

#include "agent/mapping/loader.h"
#include "agent/run/run_arguments.h"
#include "agent/validate/recorded_run.h"
#include "loaders/redact_url.h"

namespace ferry {

std::string RekeyRunArguments(const TargetSpec& target, const std::string& plan_file,
                              const std::string& strategy) {
  return "rekey " + QuotedArgument(RedactUrl(target.url)) + " --plan " +
         QuotedArgument(AbsoluteArgumentPath(plan_file)) + " --strategy " +
         QuotedArgument(strategy);
}

Result<RecordedRekey> ParseRekeyRunArguments(const std::string& arguments) {
  FERRY_ASSIGN_OR_RETURN(std::vector<std::string> words, SplitRecordedArguments(arguments));
  if (words.size() < 2 || words[0] != "rekey") {
    return Status::InvalidArgument("the run's arguments are not a rekey's: " + arguments);
  }
  RecordedRekey rekey;
  rekey.target = words[1];
  rekey.strategy = "add";
  for (size_t i = 2; i < words.size(); ++i) {
    if (i + 1 < words.size() && words[i] == "--plan") {
      rekey.plan = words[++i];
    } else if (i + 1 < words.size() && words[i] == "--strategy") {
      rekey.strategy = words[++i];
    } else {
      return Status::InvalidArgument("the rekey run's arguments hold " + words[i] +
                                     ", which this ferry does not know: " + arguments);
    }
  }
  if (rekey.plan.empty()) {
    return Status::InvalidArgument("the rekey run's arguments name no plan: " + arguments);
  }
  return rekey;
}

Result<RekeyPlan> LoadRekeyPlan(RekeySql& sql, const std::string& plan_file,
                                std::vector<std::string>* from_catalog) {
  FERRY_ASSIGN_OR_RETURN(Mapping mapping, LoadMappingFile(plan_file));
  FERRY_ASSIGN_OR_RETURN(RekeyPlan plan, PlanFromMapping(mapping));
  std::vector<std::pair<std::string, std::vector<std::array<std::string, 3>>>> catalog;
  for (const RekeyTable& table : plan.tables) {
    catalog.emplace_back(table.name, std::vector<std::array<std::string, 3>>());
    FERRY_RETURN_IF_ERROR(sql.ForeignKeys(table.name, &catalog.back().second));
  }
  AddCatalogForeignKeys(catalog, &plan, from_catalog);
  return plan;
}

}  // namespace ferry
