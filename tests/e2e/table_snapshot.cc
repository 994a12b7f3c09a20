#include "tests/e2e/table_snapshot.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "loaders/unit_mark.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry::e2e {

namespace {

// What the snapshot needs to know of one table of the bundled mapping.
struct TableSpec {
  std::string table;
  std::vector<std::string> key;                   // identifies a row: user first
  std::string ulid_column;                        // the row's own ULID; empty: none
  std::string time_column;                        // the ULID's time comes from it
  std::map<std::string, std::string> references;  // column -> parent table
  std::string id_map_legacy_column;               // the id map's legacy id is this column's value
};

const std::vector<TableSpec>& TaskappTables() {
  static const std::vector<TableSpec> specs = {
      {"environments", {"user_id", "legacy_id"}, "id", "created_at", {}, "legacy_id"},
      {"tasks",
       {"user_id", "legacy_id"},
       "id",
       "created_at",
       {{"environment_id", "environments"}},
       "legacy_id"},
      {"user_preferences", {"user_id"}, "", "", {}, "user_id"},
      {"form_data", {"user_id", "form_name"}, "", "", {}, "form_name"},
      {"custom_data", {"user_id"}, "", "", {}, "user_id"},
  };
  return specs;
}

std::vector<std::string> ColumnsOf(TargetFixture& target, const std::string& table) {
  std::string sql = target.kind() == "sqlite"
                        ? "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid"
                        : "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                          "current_schema() AND table_name = '" +
                              table + "' ORDER BY ordinal_position";
  std::vector<std::string> columns;
  for (const auto& row : target.Query(sql)) columns.push_back(row.at(0));
  return columns;
}

size_t IndexOf(const std::vector<std::string>& columns, const std::string& name) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

struct ReadTable {
  const TableSpec* spec = nullptr;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> keys;  // per row
};

std::string KeyOf(const ReadTable& table, const std::vector<std::string>& row) {
  std::string key;
  for (const std::string& column : table.spec->key) {
    key += (key.empty() ? "" : "|") + row[IndexOf(table.columns, column)];
  }
  return key;
}

class SnapshotReader {
 public:
  explicit SnapshotReader(TargetFixture& target) : target_(target) {}

  TableSnapshot Read() {
    for (const TableSpec& spec : TaskappTables()) ReadRows(spec);
    for (auto& [name, table] : read_) {
      for (size_t i = 0; i < table.rows.size(); ++i) AddRow(table, table.rows[i], table.keys[i]);
    }
    CheckIdMap();
    ReadCheckpoints();
    CheckRunsAndLocks();
    return std::move(snapshot_);
  }

 private:
  void Problem(const std::string& text) { snapshot_.problems.push_back(text); }

  void ReadRows(const TableSpec& spec) {
    ReadTable& table = read_[spec.table];
    table.spec = &spec;
    table.columns = ColumnsOf(target_, spec.table);
    if (table.columns.empty()) return;  // not created: no row
    created_ = true;
    std::string select;
    for (const std::string& column : table.columns) {
      select += (select.empty() ? "" : ", ") + ("\"" + column + "\"");
    }
    table.rows = target_.Query("SELECT " + select + " FROM \"" + spec.table + "\"");
    for (const auto& row : table.rows) {
      std::string key = KeyOf(table, row);
      table.keys.push_back(key);
      if (!spec.ulid_column.empty()) {
        std::string ulid = row[IndexOf(table.columns, spec.ulid_column)];
        ulid_owner_[spec.table][ulid] = key;
        if (!all_ulids_.insert(ulid).second) {
          Problem(spec.table + " " + key + ": ULID " + ulid + " is not unique in the target");
        }
      }
    }
  }

  void CheckUlidTime(const ReadTable& table, const std::vector<std::string>& row,
                     const std::string& key) {
    const TableSpec& spec = *table.spec;
    std::string text = row[IndexOf(table.columns, spec.ulid_column)];
    Result<Ulid> ulid = DecodeUlid(text);
    if (!ulid.ok() || text.size() != 26) {
      Problem(spec.table + " " + key + ": \"" + text + "\" is not a ULID");
      return;
    }
    std::string created = row[IndexOf(table.columns, spec.time_column)];
    if (created == "NULL") return;  // its ULID took the time of the run
    std::optional<int64_t> millis = ParseRfc3339Millis(created);
    if (!millis) {
      Problem(spec.table + " " + key + ": " + spec.time_column + " \"" + created +
              "\" is not a timestamp");
    } else if (static_cast<int64_t>(ulid->time_ms()) != *millis) {
      Problem(spec.table + " " + key + ": ULID " + text + " has time " +
              std::to_string(ulid->time_ms()) + ", " + spec.time_column + " is " + created);
    }
  }

  void AddRow(const ReadTable& table, const std::vector<std::string>& row, const std::string& key) {
    const TableSpec& spec = *table.spec;
    if (!spec.ulid_column.empty()) CheckUlidTime(table, row, key);
    std::string text;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const std::string& column = table.columns[i];
      if (column == spec.ulid_column) continue;
      text += column + "=";
      auto reference = spec.references.find(column);
      if (reference == spec.references.end() || row[i] == "NULL") {
        text += row[i] + "; ";
        continue;
      }
      const auto& parents = ulid_owner_[reference->second];
      auto parent = parents.find(row[i]);
      std::string user = row[IndexOf(table.columns, "user_id")];
      if (parent == parents.end()) {
        Problem(spec.table + " " + key + ": " + column + " " + row[i] + " is no row of " +
                reference->second);
        text += "DANGLING; ";
      } else if (parent->second.rfind(user + "|", 0) != 0) {
        Problem(spec.table + " " + key + ": " + column + " points to " + parent->second +
                ", a row of another user");
        text += "->" + parent->second + "; ";
      } else {
        text += "->" + parent->second + "; ";
      }
    }
    if (!snapshot_.tables[spec.table].emplace(key, text).second) {
      Problem(spec.table + " " + key + ": more than one row");
    }
  }

  void CheckIdMap() {
    // (entity, "user|legacy") -> the row's ULID ("" when the table has none).
    std::map<std::pair<std::string, std::string>, std::string> rows;
    for (const auto& [name, table] : read_) {
      for (const auto& row : table.rows) {
        std::string identity = row[IndexOf(table.columns, "user_id")] + "|" +
                               row[IndexOf(table.columns, table.spec->id_map_legacy_column)];
        std::string ulid = table.spec->ulid_column.empty()
                               ? ""
                               : row[IndexOf(table.columns, table.spec->ulid_column)];
        rows[{name, identity}] = ulid;
      }
    }
    std::set<std::pair<std::string, std::string>> mapped;
    if (!created_) return;  // nothing created yet: no bookkeeping either
    for (const auto& entry : target_.Query("SELECT entity, user_id, legacy_id, ulid FROM " +
                                           target_.Bookkeeping("id_map"))) {
      std::pair<std::string, std::string> identity{entry[0], entry[1] + "|" + entry[2]};
      std::string where = "id map " + entry[0] + " " + identity.second;
      if (!mapped.insert(identity).second) Problem(where + ": more than one entry");
      snapshot_.tables["(id_map)"][entry[0] + " " + identity.second] = "";
      auto row = rows.find(identity);
      if (row == rows.end()) {
        Problem(where + ": no row of " + entry[0] + " holds it");
      } else if (row->second != (entry[3] == "NULL" ? "" : entry[3]) && !row->second.empty()) {
        Problem(where + ": ULID " + entry[3] + ", but its row has " + row->second);
      }
    }
    for (const auto& [identity, ulid] : rows) {
      if (!mapped.count(identity)) {
        Problem(identity.first + " " + identity.second + ": the row has no id-map entry");
      }
    }
  }

  void ReadCheckpoints() {
    if (!created_) return;
    for (const auto& row : target_.Query("SELECT user_id, entity, unit, position FROM " +
                                         target_.Bookkeeping("checkpoints"))) {
      // A unit is a path: its file name alone, so that runs over copies of a folder compare.
      std::string unit = row[2].substr(row[2].find_last_of('/') + 1);
      // A unit's mark (loaders/unit_mark.h) holds a digest of its path and the run's settings
      // too: that the unit was loaded whole is what compares, not where it was read from.
      std::string position = row[1] == kUnitDoneEntity ? "(a unit's mark)" : row[3];
      snapshot_.tables["(checkpoints)"][row[0] + "|" + row[1] + "|" + unit] =
          "position=" + position;
    }
  }

  void CheckRunsAndLocks() {
    if (!created_) return;
    for (const auto& run :
         target_.Query("SELECT run_id, status, finished_at FROM " + target_.Bookkeeping("runs"))) {
      if (run[2] == "NULL" || run[1] == "running") {
        Problem("run " + run[0] + " is left \"" + run[1] + "\", never finished");
      }
    }
    for (const auto& lock :
         target_.Query("SELECT user_id, run_id, pid FROM " + target_.Bookkeeping("locks"))) {
      Problem("the lock of user " + lock[0] + " is left held by run " + lock[1] + " (pid " +
              lock[2] + ")");
    }
  }

  TargetFixture& target_;
  TableSnapshot snapshot_;
  std::map<std::string, ReadTable> read_;
  std::map<std::string, std::map<std::string, std::string>> ulid_owner_;  // table -> ULID -> key
  std::set<std::string> all_ulids_;
  bool created_ = false;  // the mapping's tables exist (and with them ferry's)
};

// True when `user` is one of the fields of `key` (separated by '|' or ' ').
bool KeyHolds(const std::string& key, const std::string& user) {
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find_first_of("| ", start);
    if (end == std::string::npos) end = key.size();
    if (key.compare(start, end - start, user) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

size_t TableSnapshot::Rows(const std::string& table) const {
  auto found = tables.find(table);
  return found == tables.end() ? 0 : found->second.size();
}

TableSnapshot TakeSnapshot(TargetFixture& target) { return SnapshotReader(target).Read(); }

TableSnapshot WithoutUser(const TableSnapshot& snapshot, const std::string& user) {
  TableSnapshot out;
  out.problems = snapshot.problems;
  for (const auto& [name, rows] : snapshot.tables) {
    auto& kept = out.tables[name];
    for (const auto& [key, row] : rows) {
      if (!KeyHolds(key, user)) kept.emplace(key, row);
    }
  }
  return out;
}

std::string SnapshotDifferences(const TableSnapshot& expected, const TableSnapshot& actual,
                                size_t limit) {
  std::string out;
  for (const std::string& problem : actual.problems) out += "problem: " + problem + "\n";
  size_t shown = 0;
  auto add = [&](const std::string& line) {
    if (shown++ < limit) out += line + "\n";
  };
  std::set<std::string> names;
  for (const auto& [name, rows] : expected.tables) names.insert(name);
  for (const auto& [name, rows] : actual.tables) names.insert(name);
  static const std::map<std::string, std::string> kNone;
  for (const std::string& name : names) {
    auto e = expected.tables.find(name);
    auto a = actual.tables.find(name);
    const auto& want = e == expected.tables.end() ? kNone : e->second;
    const auto& got = a == actual.tables.end() ? kNone : a->second;
    for (const auto& [key, row] : want) {
      auto found = got.find(key);
      if (found == got.end()) {
        add(name + " " + key + ": missing (" + row + ")");
      } else if (found->second != row) {
        add(name + " " + key + ": expected " + row + "\n    got " + found->second);
      }
    }
    for (const auto& [key, row] : got) {
      if (!want.count(key)) add(name + " " + key + ": extra (" + row + ")");
    }
  }
  if (shown > limit) out += "... and " + std::to_string(shown - limit) + " more differences\n";
  return out;
}

std::string ExactContents(TargetFixture& target) {
  std::string tables_sql =
      target.kind() == "sqlite"
          ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'ferry_%' AND "
            "name NOT LIKE 'sqlite_%' ORDER BY 1"
          : "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1";
  std::vector<std::string> queries;
  for (const auto& table : target.Query(tables_sql)) {
    queries.push_back("SELECT * FROM \"" + table[0] + "\"");
  }
  queries.push_back("SELECT user_id, entity, legacy_id, ulid, content_hash, run_id FROM " +
                    target.Bookkeeping("id_map"));
  queries.push_back("SELECT user_id, entity, unit, position, run_id FROM " +
                    target.Bookkeeping("checkpoints"));
  std::string contents;
  for (const std::string& sql : queries) {
    std::vector<std::string> lines;
    for (const auto& row : target.Query(sql)) {
      std::string line;
      for (const std::string& value : row) line += value + "|";
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    contents += sql + "\n";
    for (const std::string& line : lines) contents += "  " + line + "\n";
  }
  return contents;
}

}  // namespace ferry::e2e
