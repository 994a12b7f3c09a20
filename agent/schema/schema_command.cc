#include "agent/schema/schema_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
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

// The tables `schema down` picks from: every table of the mapping (the newest migration goes),
// the one named `which`, or the one whose newest migration is version `which`.
Status TablesToRevert(const std::string& which, Loader& loader,
                      const std::vector<const TableDef*>& all,
                      std::vector<const TableDef*>* tables) {
  *tables = all;
  if (which.empty()) return Status::OK();
  bool is_version =
      std::all_of(which.begin(), which.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  if (!is_version) {
    tables->clear();
    for (const TableDef* table : all) {
      if (table->name == which) tables->push_back(table);
    }
    if (tables->empty()) {
      return Status::InvalidArgument("the mapping has no table \"" + which +
                                     "\" (pass its mapping with --mapping, or a migration's "
                                     "version)");
    }
    return Status::OK();
  }
  int version = std::stoi(which);
  for (const TableDef* table : all) {
    std::vector<SchemaMigration> migrations;
    FERRY_RETURN_IF_ERROR(loader.SchemaStatus({table}, &migrations));
    int newest = 0;
    bool found = false;
    for (const SchemaMigration& m : migrations) {
      if (m.table.empty() || !m.in_mapping || m.state == SchemaMigration::State::kPending) continue;
      newest = std::max(newest, m.version);
      found = found || m.version == version;
    }
    if (!found) continue;
    if (newest != version) {
      return Status::InvalidArgument(
          "migration " + which + " of table \"" + table->name + "\" is not its newest (" +
          std::to_string(newest) + " is): revert that first (`ferry schema down " +
          std::to_string(newest) + "`), since a later step builds on it");
    }
    *tables = {table};
    return Status::OK();
  }
  return Status::InvalidArgument("no table of the mapping has migration " + which +
                                 " (ferry's bookkeeping is never reverted; a table of another "
                                 "mapping needs that mapping: --mapping)");
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
    std::string said;  // a refusal of several migrations (an adoption and its steps) once
    for (const SchemaMigration& migration : migrations) {
      if (IsSchemaDrift(migration)) {
        err << "ferry schema status: " << RefuseDrift(migration).message() << "\n";
        code = kExitDrift;
      } else if (!migration.refusal.empty() && migration.refusal != said) {
        said = migration.refusal;
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
    // What was applied before a failure stays applied (one transaction each): say so. A
    // refusal with nothing applied is only the refusal, never "up to date".
    if (options.json) {
      out << SchemaJson(prepared.target, mapping, "applied", applied, false);
    } else if (status.ok() || !applied.empty()) {
      out << SchemaUpText(applied, prepared.target);
    }
    return status.ok() ? kExitOk : Fail(options, status, err);
  }
  if (options.action == "down") {
    SchemaMigration reverted;
    std::vector<const TableDef*> tables;
    status = TablesToRevert(options.which, loader, prepared.tables, &tables);
    if (status.ok()) status = RefuseUnderLiveRun(loader);
    if (status.ok()) status = loader.SchemaDown(tables, options.force, &reverted);
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
      "When the mapping changes a recorded table, status lists the steps that take the table "
      "there without dropping it (add a nullable or defaulted column, add a unique key or an "
      "index, widen ulid to text: "
      "`evolve table ...`), up applies each as a recorded migration, and migrate refuses until "
      "then (exit 2). A change ferry cannot make safely (drop or retype a column, NOT NULL "
      "without a default, another primary key) is CHANGED: status exits 1 and names the manual "
      "steps. See docs/schema-migrations.md.";
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
       "and record it; record (adopt) an existing table that can take the mapping's rows; "
       "apply each evolution step of a table the mapping changed (ALTER TABLE)"},
      {"down",
       "Revert one migration: the newest of the mapping's tables, or the newest of table TABLE, "
       "or migration VERSION (the newest of its table). An evolution step is undone (its column, "
       "unique index or ULID CHECK reverted); a created table is dropped with its entity's id map "
       "and checkpoints; "
       "an adopted table is only forgotten. Never reverts ferry's bookkeeping (version 1). "
       "Refused (exit 4) while a run is loading into the target"},
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
      cmd->add_option("TABLE_OR_VERSION", options->which,
                      "TABLE (revert its newest migration) or VERSION (revert that migration, "
                      "the newest of its table); default: the newest of the mapping's tables");
      cmd->add_flag("--force", options->force,
                    "Drop the table (or the added column) even when it holds rows (they are "
                    "lost; for a table, ferry's id map forgets them, so a later migrate writes "
                    "them again)");
    }
    cmd->add_flag("--json", options->json, "Print one JSON document instead of lines");
    cmd->callback(
        [options, exit_code] { *exit_code = RunSchemaCommand(*options, std::cout, std::cerr); });
  }
}

}  // namespace ferry
