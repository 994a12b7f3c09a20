// Location: where a piece of input came from, precise enough for a person to find it.
//
// Every reject, corruption report and error message carries one. Fields that are unknown
// stay empty (or -1) and are left out of the printed form.
#pragma once

#include <cstdint>
#include <string>

namespace ferry {

struct Location {
  std::string file;     // the path as the user gave it (or the file inside a store)
  int64_t offset = -1;  // byte offset in `file`, when known
  int64_t line = -1;    // 1-based line in `file` (ndjson, YAML), when known
  int64_t column = -1;  // 1-based column, when known
  std::string origin;   // localStorage origin ("http://127.0.0.1:8000"), when any
  std::string key;      // localStorage key or JSON file stem
  int64_t index = -1;   // position of the record in its key's array, when any
  std::string pointer;  // JSON pointer of the field inside the record ("/createdAt")

  // "tasks.json:12:3 origin=http://x key=tasks index=8 /createdAt", omitting unknown parts.
  std::string ToString() const;
};

}  // namespace ferry
