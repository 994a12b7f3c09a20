#include "agent/rekey/rekey_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>

#include "agent/exit_codes_help.h"
#include "agent/mapping/loader.h"
#include "agent/rekey/column_digest.h"
#include "agent/rekey/id_map_fill.h"
#include "agent/rekey/key_switch.h"
#include "agent/rekey/recorded_rekey.h"
#include "agent/rekey/rekey_plan.h"
#include "agent/rekey/rekey_sql.h"
#include "agent/rekey/ulid_fill.h"
#include "loaders/redact_url.h"
#include "loaders/registry.h"
#include "transformers/ulid.h"

namespace ferry {

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitOrphans = 3;
constexpr int kExitLocked = 4;

int Fail(const Status& status, std::ostream& err) {
  err << "ferry rekey: " << RedactUrl(status.ToString()) << "\n";
  if (status.IsInvalidArgument()) return kExitUsage;
  if (status.IsLocked()) return kExitLocked;
  return kExitFailed;
}

// Fails InvalidArgument naming what the plan names and the database lacks.
Status CheckPlanFits(RekeySql& sql, const RekeyPlan& plan) {
  for (const RekeyTable& table : plan.tables) {
    std::vector<std::string> columns = {table.key};
    if (!table.creation_column.empty()) columns.push_back(table.creation_column);
    for (const RekeyForeignKey& key : table.foreign_keys) columns.push_back(key.column);
    for (const std::string& column : columns) {
      bool exists = false;
      bool has = false;
      FERRY_RETURN_IF_ERROR(sql.HasColumn(table.name, column, &exists, &has));
      if (!exists) {
        return Status::InvalidArgument(
            fmt::format("the plan names table {}, which the {} "
                        "database does not hold",
                        table.name, sql.name()));
      }
      if (!has) {
        return Status::InvalidArgument(fmt::format(
            "the plan names column {}.{}, which the database does not hold", table.name, column));
      }
    }
  }
  return Status::OK();
}

// Fails InvalidArgument, before anything is written, when a switch of one of the plan's
// groups not switched yet would be refused (PlanSwitch, SwitchStateOf).
Status CheckSwitch(RekeySql& sql, const RekeyPlan& plan) {
  for (const RekeyPlan& group : RekeyGroups(plan)) {
    bool is_switched = false;
    FERRY_RETURN_IF_ERROR(SwitchStateOf(sql, group, &is_switched));
    if (is_switched) continue;
    SwitchWork work;
    FERRY_RETURN_IF_ERROR(PlanSwitch(sql, group, /*back=*/false, &work));
  }
  return Status::OK();
}

// What the run would do, written without writing anything.
Status DescribeDryRun(RekeySql& sql, const RekeyPlan& plan, const std::string& strategy,
                      std::ostream& out) {
  for (const RekeyTable& table : plan.tables) {
    bool exists = false;
    bool has = false;
    const std::string column = UlidColumnOf(table.key);
    FERRY_RETURN_IF_ERROR(sql.HasColumn(table.name, column, &exists, &has));
    TextRows rows;
    FERRY_RETURN_IF_ERROR(
        sql.Select(has ? fmt::format("SELECT COUNT(*), COUNT(*) - COUNT({}) FROM {}",
                                     SqlName(column), SqlName(table.name))
                       : fmt::format("SELECT COUNT(*), COUNT(*) FROM {}", SqlName(table.name)),
                   &rows));
    out << fmt::format("would {} {}.{} and give {} of its {} rows a ULID ({})\n",
                       has ? "keep" : "add", table.name, column, rows[0][1].value_or("0"),
                       rows[0][0].value_or("0"),
                       table.creation_column.empty() ? "no creation column: timed now"
                                                     : "timed by " + table.creation_column);
    for (const RekeyForeignKey& key : table.foreign_keys) {
      out << fmt::format(
          "would fill {}.{} from {}.{}\n", table.name, UlidColumnOf(key.column), key.parent,
          UlidColumnOf(plan.Find(key.parent) ? plan.Find(key.parent)->key : std::string("?")));
    }
  }
  if (strategy == "hybrid") {
    out << "would write each row's old key -> ULID to " << sql.IdMapTable() << "\n";
  }
  out << "dry run: nothing was written\n";
  return Status::OK();
}

struct RekeyRun {
  int64_t filled = 0;
  int64_t timed_now = 0;
  RekeyVerification verification;
};

Status Rekey(const RekeyOptions& options, const std::string& run_id, RekeySql& sql,
             const RekeyPlan& plan, std::ostream& out, RekeyRun* run) {
  std::vector<std::string> added;
  FERRY_RETURN_IF_ERROR(AddUlidColumns(sql, plan, run_id, &added));
  for (const std::string& column : added) out << "added column " << column << "\n";
  for (const RekeyTable& table : plan.tables) {
    KeyFill fill;
    FERRY_RETURN_IF_ERROR(FillKeyUlids(sql, table, options.batch_size, &fill));
    out << fmt::format("{}: {} rows given a ULID in {} batches", table.name, fill.filled,
                       fill.batches);
    if (fill.timed_now > 0) {
      out << fmt::format(
          ", {} timed now ({})", fill.timed_now,
          table.creation_column.empty() ? "no creation column" : "no readable creation time");
    }
    out << "\n";
    run->filled += fill.filled;
    run->timed_now += fill.timed_now;
  }
  for (const RekeyTable& table : plan.tables) {
    for (const RekeyForeignKey& key : table.foreign_keys) {
      int64_t batches = 0;
      FERRY_RETURN_IF_ERROR(
          FillForeignKeyUlids(sql, plan, table, key, options.batch_size, &batches));
      out << fmt::format("{}.{}: filled from {} in {} batches\n", table.name,
                         UlidColumnOf(key.column), key.parent, batches);
    }
  }
  if (options.strategy == "hybrid") {
    for (const RekeyTable& table : plan.tables) {
      int64_t batches = 0;
      FERRY_RETURN_IF_ERROR(FillIdMap(sql, table, run_id, options.batch_size, &batches));
      out << fmt::format("{}: old key -> ULID written to {} in {} batches\n", table.name,
                         sql.IdMapTable(), batches);
    }
  }
  out << fmt::format("longest write transaction: {:.0f} ms\n", sql.longest_write_ms());
  FERRY_RETURN_IF_ERROR(VerifyRekey(sql, plan, &run->verification));
  if (options.strategy == "hybrid") {
    FERRY_RETURN_IF_ERROR(VerifyIdMap(sql, plan, &run->verification));
  }
  // What the run left in its columns: a rollback refuses to drop one written into since.
  return RecordDigests(sql, plan, run_id);
}

// `--strategy switch`: the groups not switched yet get their ULID columns as add does, then,
// when they verify, each moves its keys in one transaction; a group switched by an earlier
// attempt of the run is passed over, its orphans named again. Every refusal of a switch
// (PlanSwitch) comes before anything is written.
Status SwitchKeys(const RekeyOptions& options, const std::string& run_id, RekeySql& sql,
                  const RekeyPlan& plan, std::ostream& out, RekeyRun* run) {
  RekeyPlan pending;
  std::vector<RekeyPlan> to_switch;
  std::vector<RekeyPlan> switched;
  for (RekeyPlan& group : RekeyGroups(plan)) {
    bool is_switched = false;
    FERRY_RETURN_IF_ERROR(SwitchStateOf(sql, group, &is_switched));
    if (is_switched) {
      switched.push_back(std::move(group));
      continue;
    }
    SwitchWork work;
    FERRY_RETURN_IF_ERROR(PlanSwitch(sql, group, /*back=*/false, &work));
    for (const RekeyTable& table : group.tables) pending.tables.push_back(table);
    to_switch.push_back(std::move(group));
  }
  if (!pending.tables.empty()) {
    FERRY_RETURN_IF_ERROR(Rekey(options, run_id, sql, pending, out, run));
  }
  if (!run->verification.problems.empty()) {
    out << "keys not switched: the ULID columns do not verify\n";
    return Status::OK();
  }
  for (const RekeyPlan& group : to_switch) {
    SwitchWork work;
    auto started = std::chrono::steady_clock::now();
    FERRY_RETURN_IF_ERROR(SwitchGroup(sql, group, run_id, &work));
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::vector<std::string> names;
    for (const RekeyTable& table : group.tables) names.push_back(table.name);
    out << fmt::format(
        "switched the keys of {} to their ULID columns in one transaction of {:.0f} ms: {} "
        "constraints and {} indexes recreated under their names; old keys kept as legacy_ "
        "columns\n",
        fmt::join(names, ", "), ms, work.constraints, work.indexes);
  }
  if (!to_switch.empty()) {
    out << fmt::format("longest write transaction: {:.0f} ms (the switch included)\n",
                       sql.longest_write_ms());
  }
  for (const RekeyPlan& group : switched) {
    std::vector<std::string> names;
    for (const RekeyTable& table : group.tables) names.push_back(table.name);
    out << fmt::format("keys of {} switched already (by an earlier attempt)\n",
                       fmt::join(names, ", "));
    FERRY_RETURN_IF_ERROR(VerifySwitched(sql, group, &run->verification));
  }
  return Status::OK();
}

// What --strategy switch would do, written without writing anything: per group, add's steps
// and the statements of its one transaction.
Status DescribeSwitch(RekeySql& sql, const RekeyPlan& plan, std::ostream& out) {
  RekeyPlan pending;
  std::string switches;
  for (const RekeyPlan& group : RekeyGroups(plan)) {
    std::vector<std::string> names;
    for (const RekeyTable& table : group.tables) names.push_back(table.name);
    bool is_switched = false;
    FERRY_RETURN_IF_ERROR(SwitchStateOf(sql, group, &is_switched));
    if (is_switched) {
      switches += fmt::format("keys of {} switched already\n", fmt::join(names, ", "));
      continue;
    }
    SwitchWork work;
    FERRY_RETURN_IF_ERROR(PlanSwitch(sql, group, /*back=*/false, &work));
    for (const RekeyTable& table : group.tables) pending.tables.push_back(table);
    switches += fmt::format("would switch the keys of {} in one transaction:\n{}",
                            fmt::join(names, ", "), work.statements);
  }
  std::ostringstream steps;
  FERRY_RETURN_IF_ERROR(DescribeDryRun(sql, pending, "switch", steps));
  std::string text = steps.str();
  // DescribeDryRun ends with the dry run's last line: the switches come before it.
  const std::string last = "dry run: nothing was written\n";
  out << text.substr(0, text.size() - last.size()) << switches << last;
  return Status::OK();
}

void PrintVerification(const RekeyVerification& verification, std::ostream& out) {
  for (const RekeyOrphan& orphan : verification.examples) {
    out << fmt::format("orphan: {}.{} of row {} names {}, which is not in its parent table\n",
                       orphan.table, orphan.column, orphan.key, orphan.value);
  }
  for (const std::string& problem : verification.problems)
    out << "not verified: " << problem << "\n";
  for (const RekeyFinding& finding : verification.findings) {
    out << fmt::format("  {}.{} of row {}: {}: {}\n", finding.table, finding.column, finding.key,
                       finding.value, finding.what);
  }
  out << fmt::format("verified {} rows: {} orphaned references{}\n", verification.rows,
                     verification.orphans,
                     verification.problems.empty() ? "" : ", and the problems above");
}

}  // namespace

int RunRekey(const RekeyOptions& options, std::ostream& out, std::ostream& err) {
  if (options.strategy != "add" && options.strategy != "hybrid" && options.strategy != "switch") {
    return Fail(
        Status::InvalidArgument(fmt::format(
            "--strategy {} is unknown (docs/rekey.md): add, hybrid or switch", options.strategy)),
        err);
  }
  if (options.batch_size < 1) {
    return Fail(Status::InvalidArgument("--batch-size must be at least 1"), err);
  }
  Result<TargetSpec> target = ResolveTarget(options.target);
  if (!target.ok()) return Fail(target.status(), err);
  Result<Mapping> mapping = LoadMappingFile(options.plan);
  if (!mapping.ok()) return Fail(mapping.status(), err);
  Result<RekeyPlan> plan = PlanFromMapping(*mapping);
  if (!plan.ok()) return Fail(plan.status(), err);
  // The database first: a missing SQLite file is refused here, before the Loader's Check
  // could create one.
  Result<std::unique_ptr<RekeySql>> sql = OpenRekeySql(*target);
  if (!sql.ok()) return Fail(sql.status(), err);
  Result<std::unique_ptr<Loader>> loader = MakeLoader(*target);
  if (!loader.ok()) return Fail(loader.status(), err);
  Status status = (*loader)->Check(options.dry_run);
  if (!status.ok()) return Fail(status, err);
  std::vector<std::pair<std::string, std::vector<std::array<std::string, 3>>>> catalog;
  for (const RekeyTable& table : plan->tables) {
    catalog.emplace_back(table.name, std::vector<std::array<std::string, 3>>());
    status = (*sql)->ForeignKeys(table.name, &catalog.back().second);
    if (!status.ok()) return Fail(status, err);
  }
  std::vector<std::string> from_catalog;
  AddCatalogForeignKeys(catalog, &*plan, &from_catalog);
  status = CheckPlanFits(**sql, *plan);
  if (status.ok() && options.strategy == "switch") status = CheckSwitch(**sql, *plan);
  if (!status.ok()) return Fail(status, err);
  out << fmt::format("rekey {} with plan {}: strategy {}, batches of {}\n", RedactUrl(target->url),
                     options.plan, options.strategy, options.batch_size);
  for (const std::string& key : from_catalog) {
    out << "foreign key from the catalog, not in the plan: " << key << "\n";
  }
  if (options.dry_run) {
    status = options.strategy == "switch" ? DescribeSwitch(**sql, *plan, out)
                                          : DescribeDryRun(**sql, *plan, options.strategy, out);
    return status.ok() ? 0 : Fail(status, err);
  }
  UlidGenerator ids;
  RunInfo info;
  info.run_id = EncodeUlid(*ids.Generate(UlidGenerator::NowMillis()));
  info.arguments = RekeyRunArguments(*target, options.plan, options.strategy);
  status = (*loader)->EnsureSchema({});
  if (status.ok()) status = (*loader)->BeginRun(info);
  if (!status.ok()) return Fail(status, err);
  out << "run " << info.run_id << "\n";
  status = (*loader)->LockUser(kRekeyLockUser);
  RekeyRun run;
  if (status.ok()) {
    status = options.strategy == "switch"
                 ? SwitchKeys(options, info.run_id, **sql, *plan, out, &run)
                 : Rekey(options, info.run_id, **sql, *plan, out, &run);
  }
  RunTotals totals;
  totals.read = run.verification.rows;
  totals.updated = run.filled;
  totals.rejected = run.verification.orphans;
  int code = 0;
  if (!status.ok()) {
    totals.status = "failed";
    totals.error = RedactUrl(status.ToString());
    code = Fail(status, err);
  } else {
    PrintVerification(run.verification, out);
    if (!run.verification.problems.empty()) {
      totals.status = "failed";
      totals.error = "the result does not verify: " + run.verification.problems[0];
      code = kExitFailed;
    } else if (run.verification.orphans > 0) {
      totals.status = "completed_with_rejects";
      code = kExitOrphans;
    } else {
      totals.status = "completed";
    }
  }
  Status unlocked = (*loader)->UnlockUser(kRekeyLockUser);
  Status finished = (*loader)->FinishRun(totals);
  if (code == 0 && !unlocked.ok()) code = Fail(unlocked, err);
  if (code == 0 && !finished.ok()) code = Fail(finished, err);
  return code;
}

void AddRekeyCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<RekeyOptions>();
  CLI::App* cmd = root.add_subcommand(
      "rekey",
      "Re-key an existing database in place (docs/rekey.md): add a <key>_ulid column to each "
      "table of the plan and a <fk>_ulid column for each foreign key, fill them in short "
      "checkpointed batches (the ULID's time is the row's creation time), then verify; "
      "--strategy hybrid also keeps each old key -> ULID in ferry's id map; --strategy switch "
      "then makes the ULID columns the primary and foreign keys, one transaction per group of "
      "related tables, the old keys kept as legacy_<column>. The same command after a kill "
      "goes on where it stopped");
  SetExitCodesHelp(cmd,
                   "0 done and verified; 1 failed, or the result does not verify; 2 usage (a plan "
                   "that does not fit the database, a switch a view or a table outside the plan "
                   "stands in the way of); 3 done, with "
                   "orphaned references (named); 4 another rekey holds the lock");
  cmd->add_option("target", options->target, "sqlite:PATH or postgresql://...")->required();
  cmd->add_option("--plan", options->plan,
                  "The plan: the mapping `ferry inspect sqlite:app.db --propose-mapping FILE` "
                  "writes (tables, keys, creation columns, foreign keys)")
      ->required();
  cmd->add_option("--strategy", options->strategy,
                  "add: ULID columns beside the old keys; hybrid: as add, plus each old key -> "
                  "ULID in ferry's id map; switch: as add, then the ULID columns become the "
                  "primary and foreign keys (X_ulid renamed X, X renamed legacy_X), constraints "
                  "and indexes recreated under their names")
      ->check(CLI::IsMember({"add", "hybrid", "switch"}));
  cmd->add_flag("--dry-run", options->dry_run,
                "Check the plan against the database and say what would be done; write nothing");
  cmd->add_option("--batch-size", options->batch_size,
                  "Rows per transaction (default 1000): the longest the application waits");
  cmd->callback([options, exit_code]() { *exit_code = RunRekey(*options, std::cout, std::cerr); });
}

}  // namespace ferry
