// The JSON Schema loader (Compile: the rewrite of pattern and formats, the reference graph)
// and the validator. The input is the schema, then a 0x00 byte, then records, one per line,
// each validated against the schema when it compiles.
#include <simdjson.h>

#include <string>

#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"
#include "transformers/validate/schema_validator.h"

FERRY_FUZZ_TARGET(json_schema) {
  std::string_view text = ferry::fuzz::AsText(data, size);
  size_t split = text.find('\0');
  std::string schema(text.substr(0, split));
  auto validator = ferry::SchemaValidator::Compile(schema, "fuzz.schema.json");
  if (!validator.ok() || split == std::string_view::npos) return 0;
  static simdjson::dom::parser parser;
  std::string_view records = text.substr(split + 1);
  while (!records.empty()) {
    size_t end = records.find('\n');
    std::string line(records.substr(0, end));
    records = end == std::string_view::npos ? std::string_view() : records.substr(end + 1);
    simdjson::dom::element record;
    if (parser.parse(line).get(record) != simdjson::SUCCESS) continue;
    size_t bytes = 0;
    for (const ferry::SchemaViolation& violation : (*validator)->Validate(record, 4)) {
      bytes +=
          violation.pointer.size() + violation.schema_location.size() + violation.reason.size();
    }
    ferry::fuzz::Consume(bytes);
  }
  return 0;
}
