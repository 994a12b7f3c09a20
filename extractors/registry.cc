#include "extractors/registry.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>

#include "extractors/chromium/chromium_extractor.h"
#include "extractors/chromium/detection.h"
#include "extractors/common/file_reader.h"
#include "extractors/dump/dump_extractor.h"
#include "extractors/firefox/detection.h"
#include "extractors/firefox/firefox_extractor.h"
#include "extractors/json/json_extractor.h"
#include "extractors/ndjson/ndjson_extractor.h"
#include "extractors/sqlite/sqlite_extractor.h"
#include "loaders/postgresql_module.h"

// How ResolveSource picks the kind of a source argument:
//
//   1. "postgresql://..." or "postgres://..." is a database URL, kind "postgresql", and the
//      URL is the path.
//   2. "kind:PATH" with a registered kind names it: "dump:exports/u1.txt".
//      Any other "word:" prefix is unknown, unless the whole argument is an existing path
//      ("data:2024.json" is a file name) - then it is detected as below.
//   3. A bare PATH that does not exist is NotFound naming it. Otherwise the kinds are asked
//      in registry order and the first whose detect() says yes wins:
//        chromium  a folder holding CURRENT or MANIFEST-* (LevelDB), "Local Storage/leveldb"
//                  (a profile) or "Local State" (a user-data folder): chromium/detection.h
//        firefox   a profile folder (storage/default, webappsstore.sqlite), a folder with
//                  profiles.ini, an origin or ls folder holding ls/data.sqlite, or a data.sqlite
//                  (in an ls folder), webappsstore.sqlite or ls-archive.sqlite: firefox/detection.h
//        sqlite    any other regular file that starts with SQLite's header: an app's database
//        ndjson  a .ndjson or .jsonl file; a folder holding such files and no *.json
//        dump    a .json file whose first byte other than whitespace (after any UTF-8 byte
//                order mark) is '{'; a folder whose first *.json file, in name order, that
//                holds anything but whitespace starts with '{' (a folder of per-user dumps)
//        json    the same with '[' (an array of records, or a folder of such files)
//      A path no kind claims (an empty .json, a .txt file, a folder without JSON files) is
//      InvalidArgument, suggesting a "kind:" prefix.
//   Extensions are compared case-insensitively. Store kinds (chromium, firefox) come before
//   the file kinds in registry order, so that a browser profile folder is not taken for a
//   folder of JSON files.

namespace ferry {

namespace {

// The factories return no error of their own; the registry's entries may (the module).
template <std::unique_ptr<Extractor> (*Make)(const SourceSpec&)>
Result<std::unique_ptr<Extractor>> Made(const SourceSpec& spec) {
  return Make(spec);
}

// Through the module, loaded here on first use: nothing else needs libpq.
Result<std::unique_ptr<Extractor>> MakePostgresql(const SourceSpec& spec) {
  FERRY_ASSIGN_OR_RETURN(const PostgresqlModuleApi* postgresql, PostgresqlModule());
  return postgresql->make_extractor(spec);
}

// A postgresql:// URL is resolved before detection (ResolveSource); no path is one.
bool DetectPostgresql(const std::string&) { return false; }

const SourceKind* FindKind(std::string_view name) {
  for (const SourceKind& kind : SourceKinds()) {
    if (name == kind.name) {
      return &kind;
    }
  }
  return nullptr;
}

std::string KindNames() {
  std::string names;
  for (const SourceKind& kind : SourceKinds()) {
    names += fmt::format("{}{}:", names.empty() ? "" : ", ", kind.name);
  }
  return names;
}

// True for what looks like a URL scheme or kind name ("dump", "x-y"), not a path segment.
bool LooksLikePrefix(std::string_view word) {
  if (word.size() < 2 || !(word[0] >= 'a' && word[0] <= 'z')) {
    return false;
  }
  for (char c : word) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool PathExists(const std::string& path, int* error_number) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0) {
    return true;
  }
  *error_number = errno;
  return false;
}

Result<SourceSpec> Detect(const std::string& path) {
  int error_number = 0;
  if (!PathExists(path, &error_number)) {
    if (error_number == ENOENT || error_number == ENOTDIR) {
      return Status::NotFound(fmt::format("source {} does not exist", path));
    }
    return FileError(path, "open", error_number);
  }
  for (const SourceKind& kind : SourceKinds()) {
    if (kind.detect(path)) {
      return SourceSpec{kind.name, path, {}};
    }
  }
  return Status::InvalidArgument(fmt::format(
      "cannot tell what kind of source {} is; name it with a prefix ({})", path, KindNames()));
}

}  // namespace

const std::vector<SourceKind>& SourceKinds() {
  static const std::vector<SourceKind> kinds = {
      {"chromium",
       "Chromium localStorage (LevelDB): a Local Storage/leveldb, profile or user-data folder",
       &DetectChromium, &Made<&MakeChromiumExtractor>},
      {"firefox", "Firefox localStorage (SQLite): a profile, origin or ls folder, or a data.sqlite",
       &DetectFirefox, &Made<&MakeFirefoxExtractor>},
      {"sqlite", "an application's SQLite database: each table an entity, each row a record",
       &DetectSqlite, &Made<&MakeSqliteExtractor>},
      {"ndjson", "JSON records, one per line (.ndjson, .jsonl), or a folder of such files",
       &LooksLikeNdjson, &Made<&MakeNdjsonExtractor>},
      {"dump", "localStorage dumps: {key: string} or {origin: {key: string}}, a file or a folder",
       &LooksLikeDump, &Made<&MakeDumpExtractor>},
      {"json", "JSON arrays of records, a file or a folder of such files", &LooksLikeJsonArray,
       &Made<&MakeJsonExtractor>},
      {"postgresql",
       "a PostgreSQL database, as its postgresql:// URL: each table an entity, each row a record",
       &DetectPostgresql, &MakePostgresql},
  };
  return kinds;
}

Result<SourceSpec> ResolveSource(std::string_view argument) {
  if (argument.empty()) {
    return Status::InvalidArgument("empty source argument");
  }
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (argument.substr(0, scheme.size()) == scheme) {
      return SourceSpec{"postgresql", std::string(argument), {}};
    }
  }
  size_t colon = argument.find(':');
  if (colon != std::string_view::npos) {
    std::string_view prefix = argument.substr(0, colon);
    std::string path(argument.substr(colon + 1));
    if (const SourceKind* kind = FindKind(prefix)) {
      if (path.empty()) {
        return Status::InvalidArgument(fmt::format("no path after {}:", prefix));
      }
      return SourceSpec{kind->name, path, {}};
    }
    int ignored = 0;
    if (LooksLikePrefix(prefix) && !PathExists(std::string(argument), &ignored)) {
      return Status::InvalidArgument(
          fmt::format("unknown source kind {} in {} (known: {})", prefix, argument, KindNames()));
    }
  }
  return Detect(std::string(argument));
}

bool IsDatabaseKind(std::string_view kind) { return kind == "sqlite" || kind == "postgresql"; }

Result<std::unique_ptr<Extractor>> MakeExtractor(const SourceSpec& spec) {
  if (const SourceKind* kind = FindKind(spec.kind)) {
    return kind->make(spec);
  }
  return Status::InvalidArgument(fmt::format("unknown source kind {}", spec.kind));
}

}  // namespace ferry
