#include "agent/validate/rekey_validation.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "agent/rekey/id_map_fill.h"
#include "agent/rekey/key_switch.h"
#include "agent/rekey/recorded_rekey.h"
#include "agent/rekey/rekey_sql.h"
#include "loaders/registry.h"
#include "transformers/json_writer.h"

namespace ferry {

namespace {

// InvalidArgument naming the first table or ULID column of `plan` the database lacks: the
// run's columns rolled back or dropped since, or a plan file changed since.
Status CheckColumns(RekeySql& sql, const RekeyPlan& plan) {
  for (const RekeyTable& table : plan.tables) {
    std::vector<std::string> columns = {OldColumnIn(table, table.key),
                                        UlidColumnIn(table, table.key)};
    for (const RekeyForeignKey& key : table.foreign_keys) {
      columns.push_back(OldColumnIn(table, key.column));
      columns.push_back(UlidColumnIn(table, key.column));
    }
    if (!table.creation_column.empty()) columns.push_back(table.creation_column);
    for (const std::string& column : columns) {
      bool exists = false;
      bool has = false;
      FERRY_RETURN_IF_ERROR(sql.HasColumn(table.name, column, &exists, &has));
      if (!exists || !has) {
        return Status::InvalidArgument(fmt::format(
            "the run's plan names {}{}, which the database does not hold (rolled back or dropped "
            "since, or the plan file changed)",
            table.name, exists ? "." + column : ""));
      }
    }
  }
  return Status::OK();
}

// A switch run's groups (RekeyGroups) whose keys are switched are read under their switched
// names; a group the run left unswitched (its ULID columns did not verify) is read as add's.
// InvalidArgument for a group half switched (SwitchStateOf).
Status MarkSwitched(RekeySql& sql, RekeyPlan* plan, RekeyValidation* out) {
  for (const RekeyPlan& group : RekeyGroups(*plan)) {
    bool switched = false;
    FERRY_RETURN_IF_ERROR(SwitchStateOf(sql, group, &switched));
    for (const RekeyTable& table : group.tables) {
      if (switched) out->switched.push_back(table.name);
      for (RekeyTable& in_plan : plan->tables) {
        if (in_plan.name == table.name) in_plan.switched = switched;
      }
    }
  }
  return Status::OK();
}

}  // namespace

Status ValidateRekeyRun(const std::string& target_flag, const RunRecord& run,
                        RekeyValidation* out) {
  *out = RekeyValidation();
  out->run_id = run.run_id;
  FERRY_ASSIGN_OR_RETURN(RecordedRekey recorded, ParseRekeyRunArguments(run.arguments));
  out->strategy = recorded.strategy;
  out->plan = recorded.plan;
  if (run.status == kRolledBackStatus) {
    return Status::InvalidArgument("the rekey run was rolled back: its columns are gone");
  }
  if (recorded.strategy != "add" && recorded.strategy != "hybrid" &&
      recorded.strategy != "switch") {
    return Status::InvalidArgument(
        fmt::format("validate knows no rekey strategy {}", recorded.strategy));
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(recorded.plan, error)) {
    return Status::InvalidArgument(fmt::format(
        "the run's plan file {} is gone: validate reads the tables with it", recorded.plan));
  }
  FERRY_ASSIGN_OR_RETURN(TargetSpec target, ResolveTarget(target_flag));
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<RekeySql> sql, OpenRekeySql(target, /*read_only=*/true));
  FERRY_ASSIGN_OR_RETURN(RekeyPlan plan, LoadRekeyPlan(*sql, recorded.plan, &out->from_catalog));
  // An add or hybrid run's columns moved too when a later switch run switched their group: its
  // ULIDs are the keys now, its old keys the legacy_ columns. They are checked there, as the
  // switch run's are: what the earlier run wrote is still all there, under other names.
  FERRY_RETURN_IF_ERROR(MarkSwitched(*sql, &plan, out));
  for (const RekeyTable& table : plan.tables) out->tables.push_back(table.name);
  FERRY_RETURN_IF_ERROR(CheckColumns(*sql, plan));
  FERRY_RETURN_IF_ERROR(VerifyRekey(*sql, plan, &out->verification));
  if (recorded.strategy == "hybrid") {
    FERRY_RETURN_IF_ERROR(VerifyIdMap(*sql, plan, &out->verification, /*strays=*/true));
  }
  return Status::OK();
}

void PrintRekeyValidation(const RekeyValidation& validation, std::ostream& out) {
  const RekeyVerification& v = validation.verification;
  out << fmt::format("validate rekey run {} (strategy {}, plan {}): {} tables, {} rows\n",
                     validation.run_id, validation.strategy, validation.plan,
                     validation.tables.size(), v.rows);
  for (const std::string& key : validation.from_catalog) {
    out << "foreign key from the catalog, not in the plan: " << key << "\n";
  }
  if (!validation.switched.empty()) {
    out << fmt::format(
        "keys switched{}: {} (the ULIDs in the key and reference columns, the old values in "
        "legacy_ columns)\n",
        validation.strategy == "switch" ? "" : " since by a later switch run",
        fmt::join(validation.switched, ", "));
  }
  for (const std::string& problem : v.problems) out << "not valid: " << problem << "\n";
  for (const RekeyFinding& finding : v.findings) {
    out << fmt::format("  {}.{} of row {}: {}: {}\n", finding.table, finding.column, finding.key,
                       finding.value, finding.what);
  }
  for (const RekeyOrphan& orphan : v.examples) {
    out << fmt::format("orphan: {}.{} of row {} names {}, which is not in its parent table\n",
                       orphan.table, orphan.column, orphan.key, orphan.value);
  }
  if (validation.ExitCode() == 0) {
    out << "valid: every row has its ULID, timed by its creation, every foreign key's ULID is its "
           "parent's"
        << (validation.strategy == "hybrid" ? ", the id map holds every old key with its ULID" : "")
        << "\n";
  } else {
    out << fmt::format("differences: {} problems, {} orphaned references\n", v.problems.size(),
                       v.orphans);
  }
}

std::string RekeyValidationJson(const RekeyValidation& validation) {
  const RekeyVerification& v = validation.verification;
  std::string out = "{";
  auto text = [&out](const char* name, const std::string& value) {
    AppendJsonString(name, &out);
    out += ':';
    AppendJsonString(value, &out);
    out += ',';
  };
  auto texts = [&out](const char* name, const std::vector<std::string>& values) {
    AppendJsonString(name, &out);
    out += ":[";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(values[i], &out);
    }
    out += "],";
  };
  text("run_id", validation.run_id);
  text("kind", "rekey");
  text("strategy", validation.strategy);
  text("plan", validation.plan);
  texts("tables", validation.tables);
  texts("switched", validation.switched);
  out += fmt::format("\"rows\":{},\"orphans\":{},", v.rows, v.orphans);
  texts("problems", v.problems);
  out += "\"findings\":[";
  for (size_t i = 0; i < v.findings.size(); ++i) {
    const RekeyFinding& finding = v.findings[i];
    if (i > 0) out += ',';
    out += '{';
    text("table", finding.table);
    text("column", finding.column);
    text("key", finding.key);
    text("value", finding.value);
    text("what", finding.what);
    out.back() = '}';
  }
  out += "],\"orphan_examples\":[";
  for (size_t i = 0; i < v.examples.size(); ++i) {
    const RekeyOrphan& orphan = v.examples[i];
    if (i > 0) out += ',';
    out += '{';
    text("table", orphan.table);
    text("column", orphan.column);
    text("key", orphan.key);
    text("value", orphan.value);
    out.back() = '}';
  }
  out += fmt::format("],\"valid\":{}}}", validation.ExitCode() == 0 ? "true" : "false");
  return out + "\n";
}

}  // namespace ferry
