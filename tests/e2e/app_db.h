// The app database of tools/make_app_db.py (issue 18), as the e2e tests that move or re-key
// it see it: its foreign keys, and which of its rows a migrate loads. Keep beside the
// generator's TABLES: a foreign key added there belongs here.
//
// Header only; pure functions.
#pragma once

#include <fmt/format.h>

#include <string>

namespace ferry::e2e {

struct AppDbReference {
  const char* table;
  const char* column;
  const char* parent;
};

// Every foreign key the generator declares, the self-reference tasks.parent_id included.
inline constexpr AppDbReference kAppDbReferences[] = {
    {"dashboards", "user_id", "users"}, {"journal_entries", "user_id", "users"},
    {"tags", "user_id", "users"},       {"reminders", "user_id", "users"},
    {"orders", "user_id", "users"},     {"orders", "clinic_id", "clinics"},
    {"tasks", "user_id", "users"},      {"tasks", "parent_id", "tasks"},
};

// A query (SQLite and PostgreSQL) of the keys of `table`'s rows that a migrate loads: none of
// their references names a missing row, and a self-reference names a loaded row (the child
// of a rejected row is rejected too, so the rows are taken from the roots down).
inline std::string LoadableKeys(const std::string& table) {
  std::string own = "1 = 1";
  std::string self;
  for (const AppDbReference& ref : kAppDbReferences) {
    if (table != ref.table) continue;
    if (table == ref.parent) {
      self = ref.column;
      continue;
    }
    own += fmt::format(" AND (c.{0} IS NULL OR c.{0} IN (SELECT id FROM {1}))", ref.column,
                       ref.parent);
  }
  if (self.empty()) return fmt::format("SELECT c.id FROM {} c WHERE {}", table, own);
  return fmt::format(
      "WITH RECURSIVE loaded(id) AS (SELECT c.id FROM {0} c WHERE {1} AND c.{2} IS NULL "
      "UNION SELECT c.id FROM {0} c JOIN loaded ON c.{2} = loaded.id WHERE {1}) "
      "SELECT id FROM loaded",
      table, own, self);
}

// A query of (child key, parent key), as text, of `ref` among the rows a migrate loads: what
// the join on the new keys must give back, in legacy ids.
inline std::string LoadedPairs(const AppDbReference& ref) {
  return fmt::format(
      "SELECT CAST(c.id AS TEXT), CAST(p.id AS TEXT) FROM {0} c JOIN {2} p ON p.id = c.{1} "
      "WHERE c.id IN ({3})",
      ref.table, ref.column, ref.parent, LoadableKeys(ref.table));
}

// The same pairs in a target the run loaded: by legacy id through the new (ULID) keys.
inline std::string MigratedPairs(const AppDbReference& ref) {
  return fmt::format("SELECT c.legacy_id, p.legacy_id FROM {0} c JOIN {2} p ON p.id = c.{1}",
                     ref.table, ref.column, ref.parent);
}

}  // namespace ferry::e2e
