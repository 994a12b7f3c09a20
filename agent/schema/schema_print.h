// What `ferry schema` prints: the migrations of `status` one a line, what `up` applied and what
// `down` reverted, as text for people or as one JSON document (--json) for machines.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "loaders/loader.h"

namespace ferry {

// "applied", "pending", "CHANGED", "MISSING": the drifts in capitals, to be seen.
const char* SchemaStateText(SchemaMigration::State state);

// True when the migration is a drift that `status` reports with exit code 1: a table of the
// mapping (or the bookkeeping) that changed or is missing.
bool IsSchemaDrift(const SchemaMigration& migration);

// One line per migration, columns aligned: version ("-" while pending), state, applied_at
// ("-" while pending), description, checksum; a changed one's checksum reads
// "<recorded> (now <checksum>)". Notes in brackets after the description: a pending table that
// exists ("[exists: up records it]"), a table not in the mapping ("[not in this mapping]").
std::string SchemaStatusText(const std::vector<SchemaMigration>& migrations);

// "applied 3  create table ..." (or "adopted" for an adopted table) per migration; a line
// saying the target is up to date when none (the caller prints nothing when `up` failed).
std::string SchemaUpText(const std::vector<SchemaMigration>& applied, const std::string& target);

// "reverted 3  create table ...: dropped table ..., forgot its id map and checkpoints"; for an
// evolution step "reverted 7  evolve table ...: undone; table ... stays with its rows".
std::string SchemaDownText(const SchemaMigration& reverted);

// {"target": ..., "mapping": ..., `key`: [migration...]} with each migration's version, state
// (lower case), applied_at, description, table, checksum, recorded_checksum, exists and
// in_mapping; `key` is "migrations" (status) or "applied" (up). For down, `key` "reverted"
// holds one object instead of a list.
std::string SchemaJson(const std::string& target, const std::string& mapping,
                       const std::string& key, const std::vector<SchemaMigration>& migrations,
                       bool single);

}  // namespace ferry
