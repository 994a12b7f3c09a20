#include "agent/schema/schema_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

#include "agent/exit_codes_help.h"
#include "agent/mapping/loader.h"
#include "agent/schema/schema_print.h"
#include "loaders/redact_url.h"
#include "loaders/registry.h"
#include "loaders/schema_history.h"

namespace ferry {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitDrift = 1;

// The mapping, the target and a loader past Check(): dry-run for `status`, which writes
// nothing (a missing SQLite file stays missing).
struct Prepared {
  Mapping mapping;
  std::string target;  // redacted, for messages
  std::unique_ptr<Loader> loader;
  std::vector<const TableDef*> tables;
};

Status Prepare(const SchemaCommandOptions& options, Prepared* prepared) {
  Result<Mapping> mapping =
      options.mapping_file.empty() ? LoadDefaultMapping() : LoadMappingFile(options.mapping_file);
  if (!mapping.ok()) return mapping.status();
  prepared->mapping = std::move(mapping).value();
  FERRY_ASSIGN_OR_RETURN(TargetSpec target, ResolveTarget(options.target));
  prepared->target = RedactUrl(target.url);
  FERRY_ASSIGN_OR_RETURN(prepared->loader, MakeLoader(target));
  Status checked = prepared->loader->Check(/*dry_run=*/options.action == "status");
  if (!checked.ok()) return checked;
  for (const EntityMapping& entity : prepared->mapping.entities) {
    prepared->tables.push_back(&entity.table);
  }
  return Status::OK();
}

// A table dropped under a live run would lose what the run writes next, and break its
// resume: refused (exit 4) naming the run, whatever --force says about rows.
Status RefuseUnderLiveRun(Loader& loader) {
  std::vector<RunRecord> runs;
  FERRY_RETURN_IF_ERROR(loader.ListRuns(0, &runs));
  for (const RunRecord& run : runs) {
    if (run.status == "running") {
      return Status::Locked("run " + run.run_id + " (" + run.host + ":" + std::to_string(run.pid) +
                            ", since " + run.started_at +
                            ") is loading into this target; revert its tables after it ends");
    }
  }
  return Status::OK();
}

int Fail(const SchemaCommandOptions& options, const Status& status, std::ostream& err) {
  err << "ferry schema " << options.action << ": " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace

int RunSchemaCommand(const SchemaCommandOptions& options, std::ostream& out, std::ostream& err) {
  Prepared prepared;
  Status status = Prepare(options, &prepared);
  if (!status.ok()) return Fail(options, status, err);
  Loader& loader = *prepared.loader;
  const std::string& mapping = prepared.mapping.name;

  if (options.action == "status") {
    std::vector<SchemaMigration> migrations;
    status = loader.SchemaStatus(prepared.tables, &migrations);
    if (!status.ok()) return Fail(options, status, err);
    out << (options.json ? SchemaJson(prepared.target, mapping, "migrations", migrations, false)
                         : SchemaStatusText(migrations));
    int code = kExitOk;
    for (const SchemaMigration& migration : migrations) {
      if (IsSchemaDrift(migration)) {
        err << "ferry schema status: " << RefuseDrift(migration).message() << "\n";
        code = kExitDrift;
      } else if (!migration.refusal.empty()) {
        // What `schema up` and migrate would refuse, before they write anything.
        err << "ferry schema status: " << migration.refusal << "\n";
        if (code == kExitOk) code = ExitCodeFor(Status::InvalidArgument(migration.refusal));
      }
    }
    return code;
  }
  if (options.action == "up") {
    std::vector<SchemaMigration> applied;
    status = loader.SchemaUp(prepared.tables, &applied);
    // What was applied before a failure stays applied (one transaction each): say so.
    out << (options.json ? SchemaJson(prepared.target, mapping, "applied", applied, false)
                         : SchemaUpText(applied, prepared.target));
    return status.ok() ? kExitOk : Fail(options, status, err);
  }
  if (options.action == "down") {
    SchemaMigration reverted;
    status = RefuseUnderLiveRun(loader);
    if (status.ok()) status = loader.SchemaDown(prepared.tables, options.force, &reverted);
    if (!status.ok()) return Fail(options, status, err);
    out << (options.json ? SchemaJson(prepared.target, mapping, "reverted", {reverted}, true)
                         : SchemaDownText(reverted));
    return kExitOk;
  }
  return Fail(options, Status::InvalidArgument("unknown action (expected status, up or down)"),
              err);
}

void AddSchemaCommand(CLI::App& root, int* exit_code) {
  CLI::App* schema = root.add_subcommand(
      "schema",
      "The target's schema migrations: ferry's bookkeeping (version 1), then one per mapping "
      "table, versioned, checksummed and recorded in schema_history");
  schema->require_subcommand(1);
  constexpr std::string_view kChangedNote =
      "A migration whose recorded checksum no longer matches the mapping (the mapping changed a "
      "table after ferry created it) is CHANGED: status exits 1, and up and migrate refuse to "
      "run until the mapping is restored or the table is reverted with down. See "
      "docs/schema-migrations.md.";
  constexpr std::string_view kExitCodes =
      "0 done; 1 failed, or (status) a migration CHANGED or MISSING; 2 usage or configuration "
      "error (a bad mapping, down without --force on a table with rows); 4 down while a run is "
      "loading into the target";
  SetExitCodesHelp(schema, kExitCodes, kChangedNote);

  struct Action {
    const char* name;
    const char* description;
  };
  const Action actions[] = {
      {"status",
       "List the migrations, one a line: version, state (applied, pending, CHANGED, MISSING), "
       "applied_at, description, checksum. Writes nothing. Exits 1 when one changed or is "
       "missing"},
      {"up",
       "Apply the pending migrations, one transaction each: create each missing mapping table "
       "and record it; record an existing table that has the mapping's columns"},
      {"down",
       "Revert the newest migration of a table of the mapping: drop the table, delete its "
       "history row and its entity's id map and checkpoints. Never reverts ferry's bookkeeping "
       "(version 1). Refused (exit 4) while a run is loading into the target"},
  };
  for (const Action& action : actions) {
    auto options = std::make_shared<SchemaCommandOptions>();
    options->action = action.name;
    CLI::App* cmd = schema->add_subcommand(action.name, action.description);
    SetExitCodesHelp(cmd, kExitCodes, kChangedNote);
    cmd->add_option("--target", options->target,
                    "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else "
                    "sqlite:ferry.db");
    cmd->add_option("--mapping", options->mapping_file,
                    "Mapping file (YAML) whose tables to migrate; default: the bundled taskapp "
                    "mapping");
    if (std::string(action.name) == "down") {
      cmd->add_flag("--force", options->force,
                    "Drop the table even when it holds rows (they are lost; ferry's id map "
                    "forgets them, so a later migrate writes them again)");
    }
    cmd->add_flag("--json", options->json, "Print one JSON document instead of lines");
    cmd->callback(
        [options, exit_code] { *exit_code = RunSchemaCommand(*options, std::cout, std::cerr); });
  }
}

}  // namespace ferry
