#include "agent/run/unit_user_id.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>

#include "transformers/scalar_text.h"

namespace ferry {

namespace {

bool Blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

// The user id a key's value holds: a JSON string's text, a JSON integer in decimal, or text
// that is not JSON as it is; else why it holds none.
Result<std::string> UserIdOfValue(const std::string& value) {
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  if (parser.parse(value).get(parsed) != simdjson::SUCCESS) {
    if (Blank(value)) return Status::InvalidArgument("is empty");
    return value;
  }
  switch (parsed.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return Status::InvalidArgument("holds null");
    case simdjson::dom::element_type::BOOL:
      return Status::InvalidArgument("holds true or false, not an id");
    case simdjson::dom::element_type::OBJECT:
    case simdjson::dom::element_type::ARRAY:
      return Status::InvalidArgument("holds an object or an array, not an id");
    default:
      break;
  }
  std::optional<std::string> text = ScalarToText(parsed);
  if (!text) return value;  // a number that is not an integer: its text as written
  if (Blank(*text)) return Status::InvalidArgument("holds an empty string");
  return *text;
}

Result<std::string> UserIdFromKey(const MigrateOptions& options, const UnitEntries& entries,
                                  const std::string& name) {
  const std::string& unit = entries.unit();
  std::optional<std::string> found;
  std::string found_origin;
  Entry scratch;
  for (size_t i = 0; i < entries.size(); ++i) {
    FERRY_ASSIGN_OR_RETURN(const Entry* keyed, entries.Get(i, &scratch, /*with_value=*/false));
    // With --origin, the store extractors yield the selected origins only (as the run loads).
    if (keyed->key != name || (!options.origins.empty() && keyed->origin.empty())) continue;
    FERRY_ASSIGN_OR_RETURN(const Entry* read, entries.Get(i, &scratch));
    const Entry& entry = *read;
    Result<std::string> id = UserIdOfValue(entry.value);
    if (!id.ok()) {
      return Status::InvalidArgument(fmt::format(
          "{}: --user-id-from key:{}: the key {}{}, so this unit is not loaded. Give it a user "
          "id, or load it on its own with --user-id",
          unit, name, id.status().message(),
          entry.origin.empty() ? "" : fmt::format(" (origin {})", entry.origin)));
    }
    if (found && *found != *id) {
      return Status::InvalidArgument(
          fmt::format("{}: --user-id-from key:{}: origins {} and {} hold different user ids; "
                      "choose one with --origin",
                      unit, name, found_origin, entry.origin));
    }
    found = *id;
    found_origin = entry.origin;
  }
  if (!found) {
    return Status::InvalidArgument(
        fmt::format("{}: --user-id-from key:{}: no key \"{}\" in this unit, so this unit is not "
                    "loaded. Give it a "
                    "user id, or load it on its own with --user-id",
                    unit, name, name));
  }
  return *found;
}

}  // namespace

Result<std::string> UnitUserId(const MigrateOptions& options, const UnitEntries& entries) {
  if (!options.user_id.empty()) return options.user_id;
  const std::string& from = options.user_id_from;
  if (from == "filename") {
    if (entries.empty() || entries.user_hint().empty()) {
      return Status::InvalidArgument(
          "--user-id-from filename: this source has no file name per user");
    }
    return entries.user_hint();
  }
  if (from.rfind("key:", 0) == 0) return UserIdFromKey(options, entries, from.substr(4));
  return Status::InvalidArgument(
      "no user id: give --user-id ID, or --user-id-from filename|key:NAME");
}

}  // namespace ferry
