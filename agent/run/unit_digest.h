// Unit digests: what decides a unit's rows, hashed, so that a rerun can tell a unit that is
// unchanged since a run loaded it whole and skip it (docs/reliability.md, "Rerun").
//
// A unit's digest covers its entries (origin, key, value and shape of each, in order), or, for a
// unit that is one file's bytes (a dump: UnitEntries::bytes_digest), its name and a digest of
// every byte of the file (no value decoded: a rerun reads only its keys), and the run's
// settings digest: this ferry's version, the mapping's files (the bundled ones, or the
// mapping file and each entity's schema file, read now) and every option that changes which
// rows are written or rejected. A changed byte of a value, of the mapping or of a schema, or
// another policy, gives another digest. The hash is not cryptographic: it finds change, it
// does not resist an author of the source who wants a change unseen (who could write the rows
// anyway).
//
// The target keeps it as the unit's mark (loaders/unit_mark.h), written once the unit's every
// entity committed.
//
// Thread safety: pure functions (SettingsDigest reads files).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/run/migrate_options.h"
#include "agent/run/unit_entries.h"
#include "base/result.h"
#include "extractors/entry.h"
#include "loaders/unit_mark.h"
#include "transformers/mapping.h"

namespace ferry {

// The digest of what, besides the source, decides the rows of a unit; nullopt when a mapping or
// schema file cannot be read (then no unit is skipped).
std::optional<std::string> SettingsDigest(const MigrateOptions& options, const Mapping& mapping);

// The digest of one unit's entries under `settings` (SettingsDigest).
int64_t UnitDigest(const std::string& settings, const std::vector<Entry>& entries);
// The same digest of a unit's entries however they are held (a spilled entry is read back);
// for a unit with a bytes digest, the digest of its name and bytes (no entry read).
Result<int64_t> UnitDigest(const std::string& settings, const UnitEntries& entries);

}  // namespace ferry
