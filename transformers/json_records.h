// ScanJsonRecords: splits one store value (the inner JSON of a key) into its records before
// simdjson parses it, so that one value simdjson refuses stays with its record.
//
// A tolerant pass, aware of strings and escapes and nothing else: brackets and strings alone
// find where each record begins and ends, so a record with a syntax error still has a span
// (simdjson then rejects that record alone). On the way it rewrites what simdjson would refuse
// or read otherwise than JavaScript's JSON.parse does:
//  - an unpaired UTF-16 surrogate escape ("\ud83d", what JSON.stringify writes for half an
//    emoji) becomes "\ufffd", and its record is marked lossy;
//  - a number beyond a double or beyond 64-bit integers becomes a marked string holding its
//    text (big_number.h);
//  - a member name repeated in one object keeps only its last member (JSON.parse's last-wins),
//    for records, nested objects and the members of an object of records.
// A record nested deeper than kMaxRecordDepth is marked too deep (its siblings are unharmed).
//
// Pure function, thread-safe.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "transformers/mapping.h"

namespace ferry {

// The deepest nesting a record may have (its own object or array is level 1); below the
// parser's limit, so that the value holding the records still parses.
inline constexpr int kMaxRecordDepth = 1000;

struct ScannedRecord {
  size_t begin = 0;  // the record's text in ScannedValue::Text()
  size_t end = 0;
  int64_t index = -1;                 // position in an array value, else -1
  std::optional<std::string> member;  // member name in an object-of-records value
  bool lossy = false;                 // an unpaired surrogate escape became U+FFFD
  bool too_deep = false;              // nested deeper than kMaxRecordDepth
};

struct ScannedValue {
  std::vector<ScannedRecord> records;  // in order; an overridden duplicate member is left out
  int64_t duplicates = 0;              // members dropped because a later one had their name
  int64_t big_numbers = 0;             // numbers kept as marked strings
  bool rewritten = false;              // the text differs from the value given
  std::string rewritten_text;          // the text when rewritten

  // The text the record spans refer to: the rewritten text, else `original`.
  std::string_view Text(std::string_view original) const {
    return rewritten ? std::string_view(rewritten_text) : original;
  }
};

// How a record file's extractor (json, ndjson) checks one record: SUCCESS when `record` parses
// as it is, or once rewritten as ScanJsonRecords rewrites it (what migrate will read), else the
// parser's error for the text as it is (DEPTH_ERROR for a record nested too deep).
// `padded`: the text is followed by simdjson's padding (no copy needed for the first try).
simdjson::error_code CheckRecordText(std::string_view record, bool padded,
                                     simdjson::dom::parser* parser);

// True when `value` (what simdjson parsed of `json`) holds the records of `shape` just as
// ScanJsonRecords would give them: the value is of the shape, no member name is repeated in
// an object, no record is nested deeper than kMaxRecordDepth, and `json` has no "\u" escape
// of a surrogate (a number beyond a double or int64 does not parse at all). Such a value is
// read without the scan: the fast path for the values of almost every store.
bool PlainJson(std::string_view json, simdjson::dom::element value, SourceShape shape);

// Scans `json` as a value of `shape`. Fails (Corruption) when its records cannot be told apart:
// the value is not an array (kArray) or an object (kObject), a string or a bracket is not
// closed, or text follows the value. The caller then reads the value whole, as before.
Result<ScannedValue> ScanJsonRecords(std::string_view json, SourceShape shape);

}  // namespace ferry
