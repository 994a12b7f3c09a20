#include "agent/rekey/rekey_rollback.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

#include "agent/rekey/column_digest.h"
#include "agent/rekey/id_map_fill.h"
#include "agent/rekey/key_switch.h"
#include "agent/rekey/rekey_sql.h"
#include "agent/rekey/ulid_fill.h"
#include "loaders/registry.h"

namespace ferry {

namespace {

// InvalidArgument naming each of `columns` whose values differ from the newest digest a rekey
// run recorded of it (kRekeyDigestAction): something wrote into it since, and dropping it
// would lose that. A column no run recorded (its runs were all killed before the end) is
// said to be unchecked.
// A column of a table in `switched` (keys switched, to be switched back first) is read under
// its name of now: X_ulid is X, in the order of legacy_<key>.
Status CheckNoLaterWrites(RekeySql& sql, const std::string& run_id,
                          const std::vector<std::pair<std::string, std::string>>& columns,
                          const std::set<std::string>& switched, std::ostream& out) {
  if (columns.empty()) return Status::OK();
  TextRows recorded;
  FERRY_RETURN_IF_ERROR(
      sql.Select(fmt::format("SELECT detail FROM {} WHERE action = {} ORDER BY at DESC",
                             sql.AuditTable(), SqlLiteral(kRekeyDigestAction)),
                 &recorded));
  std::map<std::pair<std::string, std::string>, ColumnDigest> newest;
  for (const auto& row : recorded) {
    for (ColumnDigest& digest : ParseDigests(row[0].value_or(""))) {
      newest.try_emplace({digest.table, digest.column}, std::move(digest));
    }
  }
  std::vector<std::string> written;
  std::vector<std::string> unchecked;
  for (const auto& [table, column] : columns) {
    auto found = newest.find({table, column});
    if (found == newest.end()) {
      unchecked.push_back(table + "." + column);
      continue;
    }
    const ColumnDigest& then = found->second;
    ColumnDigest now;
    if (switched.count(table) > 0) {
      std::string column_now = column.substr(0, column.size() - UlidColumnOf("").size());
      FERRY_RETURN_IF_ERROR(DigestColumn(
          sql, RekeyTable{table, LegacyColumnOf(then.key), "", "", {}}, column_now, &now));
    } else {
      FERRY_RETURN_IF_ERROR(
          DigestColumn(sql, RekeyTable{table, then.key, "", "", {}}, column, &now));
    }
    if (now.values != then.values || now.hash != then.hash) {
      written.push_back(fmt::format("{}.{} ({} values now, {} when rekey finished)", table, column,
                                    now.values, then.values));
    }
  }
  if (!unchecked.empty()) {
    out << "run " << run_id << ": not checked for later writes (no rekey run of them finished): "
        << fmt::format("{}", fmt::join(unchecked, ", ")) << "\n";
  }
  if (written.empty()) return Status::OK();
  return Status::InvalidArgument(fmt::format(
      "refused: written into since rekey filled them, so dropping them would lose those values: "
      "{}. Run the same rekey again if it was ferry, or clear what the application wrote "
      "(docs/rekey.md, \"Undoing a rekey\")",
      fmt::join(written, "; ")));
}

}  // namespace

bool IsRekeyRun(const RunRecord& run) { return run.arguments.rfind("rekey ", 0) == 0; }

Status RollBackRekeyRun(const std::string& target_flag, const RunRecord& run,
                        const std::vector<RunRecord>& runs, bool dry_run, std::ostream& out) {
  // The run and the earlier, unfinished attempts of the same command it went on from.
  std::vector<std::string> ids = {run.run_id};
  for (const RunRecord& other : runs) {
    if (other.run_id != run.run_id && other.arguments == run.arguments &&
        other.started_at <= run.started_at && other.status != kRolledBackStatus &&
        other.status != "completed" && other.status != "completed_with_rejects") {
      ids.push_back(other.run_id);
    }
  }
  std::string id_list;
  for (const std::string& id : ids) id_list += (id_list.empty() ? "" : ", ") + SqlLiteral(id);
  FERRY_ASSIGN_OR_RETURN(TargetSpec target, ResolveTarget(target_flag));
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<RekeySql> sql, OpenRekeySql(target));
  // The groups whose keys the runs switched go back first, in the same transaction.
  TextRows switches;
  FERRY_RETURN_IF_ERROR(sql->Select(
      fmt::format("SELECT detail FROM {} WHERE action = {} AND run_id IN ({}) ORDER BY detail",
                  sql->AuditTable(), SqlLiteral(kRekeySwitchAction), id_list),
      &switches));
  std::string statements;
  std::set<std::string> switched;
  std::vector<std::string> switched_back;
  for (const auto& row : switches) {
    std::vector<SchemaObject> schema;
    RekeyPlan group = ParseSwitchedGroup(row[0].value_or(""), &schema);
    bool is_switched = false;
    FERRY_RETURN_IF_ERROR(SwitchStateOf(*sql, group, &is_switched));
    if (!is_switched) continue;  // switched back by hand already
    SwitchWork work;
    FERRY_RETURN_IF_ERROR(PlanSwitch(*sql, group, /*back=*/true, &work, schema));
    statements += work.statements;
    for (const RekeyTable& table : group.tables) {
      switched.insert(table.name);
      switched_back.push_back(table.name);
    }
  }
  TextRows added;
  FERRY_RETURN_IF_ERROR(sql->Select(
      fmt::format("SELECT detail FROM {} WHERE action = {} AND run_id IN ({}) ORDER BY detail",
                  sql->AuditTable(), SqlLiteral(kRekeyColumnAction), id_list),
      &added));
  std::vector<std::string> dropped;
  std::vector<std::string> lines;
  for (const auto& row : added) {
    std::string detail = row[0].value_or("");
    for (size_t start = 0; start <= detail.size();) {
      size_t end = detail.find('\n', start);
      if (end == std::string::npos) end = detail.size();
      lines.push_back(detail.substr(start, end - start));
      start = end + 1;
    }
  }
  std::vector<std::pair<std::string, std::string>> columns;  // {table, column} still there
  for (const std::string& line : lines) {
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string table = line.substr(0, tab);
    std::string column = line.substr(tab + 1);
    bool exists = false;
    bool has = switched.count(table) > 0;  // there again once switched back
    if (!has) {
      FERRY_RETURN_IF_ERROR(sql->HasColumn(table, column, &exists, &has));
    }
    if (!has) {
      bool legacy = false;
      const size_t suffix = UlidColumnOf("").size();
      if (column.size() > suffix) {
        FERRY_RETURN_IF_ERROR(sql->HasColumn(
            table, LegacyColumnOf(column.substr(0, column.size() - suffix)), &exists, &legacy));
      }
      if (legacy) {
        return Status::InvalidArgument(fmt::format(
            "the keys of table {} were switched to its ULID columns by another rekey run "
            "(--strategy switch): roll that run back first",
            table));
      }
      continue;  // dropped by hand already
    }
    statements += fmt::format("ALTER TABLE {} DROP COLUMN {};\n", SqlName(table), SqlName(column));
    dropped.push_back(table + "." + column);
    columns.emplace_back(table, column);
  }
  FERRY_RETURN_IF_ERROR(CheckNoLaterWrites(*sql, run.run_id, columns, switched, out));
  TextRows mapped;
  FERRY_RETURN_IF_ERROR(
      sql->Select(fmt::format("SELECT COUNT(*) FROM {} WHERE user_id = {} AND run_id IN ({})",
                              sql->IdMapTable(), SqlLiteral(kRekeyIdMapUser), id_list),
                  &mapped));
  std::string id_map_rows = mapped.empty() ? "0" : mapped[0][0].value_or("0");
  std::string summary;
  if (!switched_back.empty()) {
    summary = fmt::format("keys of {} switched back to {}, ", fmt::join(switched_back, ", "),
                          "their old columns");
  }
  summary += fmt::format(
      "{} columns dropped ({}), {} id-map rows removed", dropped.size(),
      dropped.empty() ? std::string("none") : fmt::format("{}", fmt::join(dropped, ", ")),
      id_map_rows);
  if (dry_run) {
    out << "run " << run.run_id << ": would roll back: " << summary << "\n";
    return Status::OK();
  }
  statements += fmt::format("DELETE FROM {} WHERE user_id = {} AND run_id IN ({});\n",
                            sql->IdMapTable(), SqlLiteral(kRekeyIdMapUser), id_list);
  statements += fmt::format("UPDATE {} SET status = {} WHERE run_id IN ({});\n", sql->RunsTable(),
                            SqlLiteral(kRolledBackStatus), id_list);
  statements += sql->AuditInsert(run.run_id, "rollback", summary);
  FERRY_RETURN_IF_ERROR(sql->Execute(statements));
  out << "run " << run.run_id << ": rolled back: " << summary << "\n";
  return Status::OK();
}

}  // namespace ferry
