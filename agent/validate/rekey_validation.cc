#include "agent/validate/rekey_validation.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "agent/rekey/id_map_fill.h"
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
    std::vector<std::string> columns = {table.key, UlidColumnOf(table.key)};
    for (const RekeyForeignKey& key : table.foreign_keys) {
      columns.push_back(key.column);
      columns.push_back(UlidColumnOf(key.column));
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
  if (recorded.strategy != "add" && recorded.strategy != "hybrid") {
    return Status::InvalidArgument(
        fmt::format("validating a rekey of strategy {} is not built yet: add and hybrid are",
                    recorded.strategy));
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(recorded.plan, error)) {
    return Status::InvalidArgument(fmt::format(
        "the run's plan file {} is gone: validate reads the tables with it", recorded.plan));
  }
  FERRY_ASSIGN_OR_RETURN(TargetSpec target, ResolveTarget(target_flag));
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<RekeySql> sql, OpenRekeySql(target, /*read_only=*/true));
  FERRY_ASSIGN_OR_RETURN(RekeyPlan plan, LoadRekeyPlan(*sql, recorded.plan, &out->from_catalog));
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
