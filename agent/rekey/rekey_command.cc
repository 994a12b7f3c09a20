#include "agent/rekey/rekey_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/exit_codes_help.h"
#include "agent/mapping/loader.h"
#include "agent/rekey/column_digest.h"
#include "agent/rekey/id_map_fill.h"
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
  if (options.strategy != "add" && options.strategy != "hybrid") {
    return Fail(Status::InvalidArgument(fmt::format(
                    "--strategy {} is not built yet (docs/rekey.md): add and hybrid are",
                    options.strategy)),
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
  if (!status.ok()) return Fail(status, err);
  out << fmt::format("rekey {} with plan {}: strategy {}, batches of {}\n", RedactUrl(target->url),
                     options.plan, options.strategy, options.batch_size);
  for (const std::string& key : from_catalog) {
    out << "foreign key from the catalog, not in the plan: " << key << "\n";
  }
  if (options.dry_run) {
    status = DescribeDryRun(**sql, *plan, options.strategy, out);
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
  if (status.ok()) status = Rekey(options, info.run_id, **sql, *plan, out, &run);
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
      "--strategy hybrid also keeps each old key -> ULID in ferry's id map. The same command "
      "after a kill goes on where it stopped");
  SetExitCodesHelp(cmd,
                   "0 done and verified; 1 failed, or the result does not verify; 2 usage (a "
                   "strategy not built yet, a plan that does not fit the database); 3 done, with "
                   "orphaned references (named); 4 another rekey holds the lock");
  cmd->add_option("target", options->target, "sqlite:PATH or postgresql://...")->required();
  cmd->add_option("--plan", options->plan,
                  "The plan: the mapping `ferry inspect sqlite:app.db --propose-mapping FILE` "
                  "writes (tables, keys, creation columns, foreign keys)")
      ->required();
  cmd->add_option("--strategy", options->strategy,
                  "add: ULID columns beside the old keys; hybrid: as add, plus each old key -> "
                  "ULID in ferry's id map (switch: not built yet)")
      ->check(CLI::IsMember({"add", "hybrid", "switch"}));
  cmd->add_flag("--dry-run", options->dry_run,
                "Check the plan against the database and say what would be done; write nothing");
  cmd->add_option("--batch-size", options->batch_size,
                  "Rows per transaction (default 1000): the longest the application waits");
  cmd->callback([options, exit_code]() { *exit_code = RunRekey(*options, std::cout, std::cerr); });
}

}  // namespace ferry
