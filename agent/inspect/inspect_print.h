// Printing an InspectReport: a table for people, one JSON document for machines.
//
// Keys and origins are printed as JSON string bodies (escapes for quotes, controls and
// unpaired surrogates), so that nothing a store holds can drive the terminal.
//
// Thread safety: pure functions of the report.
#pragma once

#include <ostream>
#include <string>

#include "agent/inspect/inspect_report.h"

namespace ferry {

// A key longer than this (as a JSON body) is shortened in the table, with its length.
constexpr size_t kMaxKeyBytesShown = 200;

// The human table: per origin its keys (size, entity, records, valid; a key over
// kMaxKeyBytesShown shortened), then per entity the records, valid records and id kinds,
// then the damage found.
void PrintInspectTable(const InspectReport& report, std::ostream& out);

// The report as one JSON document (every key of every origin: REQUIRES report.keys_as_json),
// written to `out` as it is made (the keys copied from where they spilled). Fails IOError when
// the keys cannot be read back.
Status WriteInspectJson(const InspectReport& report, std::ostream& out);

// WriteInspectJson's document as a string (tests).
std::string InspectJson(const InspectReport& report);

}  // namespace ferry
