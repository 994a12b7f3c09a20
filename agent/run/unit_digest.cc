#include "agent/run/unit_digest.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/mapping/embedded.h"
#include "base/word_hash.h"

namespace ferry {

namespace {

bool HashFile(const std::string& path, WordHash* hash) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return false;
  hash->Add(path);
  hash->Add(text.str());
  return true;
}

void HashList(const std::vector<std::string>& list, WordHash* hash) {
  hash->AddWord(list.size());
  for (const std::string& item : list) hash->Add(item);
}

}  // namespace

std::optional<std::string> SettingsDigest(const MigrateOptions& options, const Mapping& mapping) {
  WordHash hash;
  hash.Add(FERRY_VERSION);
  if (options.mapping_file.empty()) {
    for (const EmbeddedFile& file : EmbeddedMappingFiles()) {
      hash.Add(file.name);
      hash.Add(file.text);
    }
  } else {
    if (!HashFile(options.mapping_file, &hash)) return std::nullopt;
    for (const EntityMapping& entity : mapping.entities) {
      if (!entity.schema_file.empty() && !HashFile(entity.schema_file, &hash)) return std::nullopt;
    }
  }
  hash.Add(options.user_id);
  hash.Add(options.user_id_from);
  HashList(options.origins, &hash);
  HashList(options.include, &hash);
  HashList(options.exclude, &hash);
  hash.AddWord(options.conflict ? static_cast<uint64_t>(*options.conflict) + 1 : 0);
  hash.AddWord(options.continue_on_error);
  hash.AddWord(options.strict_unicode);
  hash.AddWord(options.max_value_bytes);
  return fmt::format("{:016x}", hash.value());
}

namespace {

void AddEntry(const Entry& entry, WordHash* hash) {
  hash->Add(entry.unit);
  hash->Add(entry.user_hint);
  hash->Add(entry.origin);
  hash->Add(entry.key);
  hash->Add(entry.value);
  hash->AddWord(static_cast<uint64_t>(entry.shape));
  hash->AddWord(entry.lossy);
  if (entry.lossy) {
    hash->Add(entry.exact_origin_json);
    hash->Add(entry.exact_key_json);
    hash->Add(entry.exact_value_json);
  }
}

}  // namespace

int64_t UnitDigest(const std::string& settings, const std::vector<Entry>& entries) {
  WordHash hash;
  hash.Add(settings);
  hash.AddWord(entries.size());
  for (const Entry& entry : entries) AddEntry(entry, &hash);
  return static_cast<int64_t>(hash.value());
}

Result<int64_t> UnitDigest(const std::string& settings, const UnitEntries& entries) {
  WordHash hash;
  hash.Add(settings);
  if (entries.bytes_digest()) {
    // The unit is one file's bytes (a dump): its entries are a function of those bytes, of its
    // name (the path, whose stem is the user hint) and of --origin and --max-value-bytes, which
    // the settings hold. A marker word keeps it apart from an entry digest.
    hash.AddWord(0x6279746573ull);  // "bytes"
    hash.Add(entries.unit());
    hash.Add(entries.user_hint());
    hash.AddWord(*entries.bytes_digest());
    return static_cast<int64_t>(hash.value());
  }
  hash.AddWord(entries.size());
  Entry scratch;
  for (size_t i = 0; i < entries.size(); ++i) {
    FERRY_ASSIGN_OR_RETURN(const Entry* entry, entries.Get(i, &scratch));
    AddEntry(*entry, &hash);
  }
  return static_cast<int64_t>(hash.value());
}

}  // namespace ferry
