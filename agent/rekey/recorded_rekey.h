// What a rekey run records as its arguments (ferry.runs.arguments: "rekey TARGET --plan FILE
// --strategy S"), written and read back here, so that `ferry validate --run ID` checks the
// run's tables with the run's plan; and the plan of a run, with the foreign keys the
// database's catalog adds to it (agent/rekey/rekey_plan.h, AddCatalogForeignKeys).
//
// Thread safety: pure, but for the plan file and database LoadRekeyPlan reads.
#pragma once

#include <string>
#include <vector>

#include "agent/rekey/rekey_plan.h"
#include "agent/rekey/rekey_sql.h"
#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

struct RecordedRekey {
  std::string target;  // as recorded: no password
  std::string plan;    // the plan file; absolute since this ferry records it so
  std::string strategy;
};

// The arguments text of a rekey of `target` with `plan_file` and `strategy`: the target
// without its password, the plan file made absolute, each quoted when it holds a space or a
// quote.
std::string RekeyRunArguments(const TargetSpec& target, const std::string& plan_file,
                              const std::string& strategy);

// The rekey a run's arguments record (older runs recorded the plan as given: relative paths are
// read from the current folder). InvalidArgument when they are not a rekey's.
Result<RecordedRekey> ParseRekeyRunArguments(const std::string& arguments);

// The plan of `plan_file` on the database of `sql`, with each foreign key the catalog declares
// and the plan leaves out (*from_catalog names them: "tasks.parent_id -> tasks").
Result<RekeyPlan> LoadRekeyPlan(RekeySql& sql, const std::string& plan_file,
                                std::vector<std::string>* from_catalog);

}  // namespace ferry
