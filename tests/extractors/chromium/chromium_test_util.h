// Helpers for the chromium extractor tests: the real browser fixtures, copies of them, an
// independent reader of the expected dumps that keeps exact UTF-16 code units (unpaired
// surrogates included), and file hashes.
#pragma once

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/extractors/extractor_test_util.h"
#include "tests/test_paths.h"

namespace ferry::testing {

namespace fs = std::filesystem;

// The folder holding chromium/<scenario>/ and expected/<scenario>.json, when present.
inline std::optional<std::string> BrowserFixtureRoot() {
  for (std::string dir : {std::string(FERRY_SOURCE_DIR) + "/tests/fixtures/browser",
                          std::string(FERRY_SOURCE_DIR) + "/../shared/fixtures/browser"}) {
    if (fs::exists(dir + "/chromium") && fs::exists(dir + "/expected")) {
      return dir;
    }
  }
  return std::nullopt;
}

// Every chromium scenario of the fixtures, in name order (new ones are picked up).
inline std::vector<std::string> ChromiumScenarios(const std::string& root) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root + "/chromium")) {
    if (entry.is_directory()) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string LevelDbOf(const std::string& user_data_dir) {
  return user_data_dir + "/Default/Local Storage/leveldb";
}

// Adds (or, with writable=false, removes) write permission on everything under `path`.
inline void SetWritable(const std::string& path, bool writable) {
  auto apply = [writable](const fs::path& p) {
    fs::permissions(p, fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write,
                    writable ? fs::perm_options::add : fs::perm_options::remove);
  };
  if (!writable) {
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      apply(entry.path());
    }
    apply(path);
    return;
  }
  apply(path);
  for (const auto& entry : fs::recursive_directory_iterator(path)) {
    apply(entry.path());
  }
}

// A writable copy of the fixture scenario `scenario` in the folder `dir`; returns its
// user-data folder.
inline std::string CopyScenario(const std::string& root, const std::string& scenario,
                                const std::string& dir) {
  std::string to = dir + "/" + scenario;
  fs::copy(root + "/chromium/" + scenario, to, fs::copy_options::recursive);
  SetWritable(to, true);
  return to;
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline std::string Sha256Hex(const std::string& path) {
  std::string bytes = ReadFileBytes(path);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string hex;
  char two[3];
  for (unsigned char byte : digest) {
    std::snprintf(two, sizeof two, "%02x", byte);
    hex += two;
  }
  return hex;
}

// Path (relative) -> SHA-256, size and mtime of every file under `root`, and every folder.
inline std::map<std::string, std::string> TreeFingerprint(const std::string& root) {
  std::map<std::string, std::string> prints;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    std::string relative = fs::relative(entry.path(), root).string();
    struct stat info;
    ::lstat(entry.path().c_str(), &info);
    std::string stamp = std::to_string(info.st_mtim.tv_sec) + "." +
                        std::to_string(info.st_mtim.tv_nsec) + " mode " +
                        std::to_string(info.st_mode);
    prints[relative] = entry.is_regular_file() ? Sha256Hex(entry.path().string()) + " " +
                                                     std::to_string(info.st_size) + " " + stamp
                                               : "dir " + stamp;
  }
  return prints;
}

// --- An independent reader of expected/<scenario>.json, keeping exact code units ----------

using Units = std::u16string;
using ExpectedStore = std::map<std::string, std::map<Units, Units>>;  // origin -> key -> value

inline void AppendUtf8AsUnits(const std::string& utf8, size_t* pos, Units* out) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(utf8.at(i)); };
  unsigned char lead = byte(*pos);
  uint32_t cp;
  size_t length;
  if (lead < 0x80) {
    cp = lead, length = 1;
  } else if (lead >> 5 == 0x6) {
    cp = lead & 0x1f, length = 2;
  } else if (lead >> 4 == 0xe) {
    cp = lead & 0x0f, length = 3;
  } else {
    cp = lead & 0x07, length = 4;
  }
  for (size_t i = 1; i < length; ++i) {
    cp = (cp << 6) | (byte(*pos + i) & 0x3f);
  }
  *pos += length;
  if (cp >= 0x10000) {
    out->push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
    out->push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3ff)));
  } else {
    out->push_back(static_cast<char16_t>(cp));
  }
}

// Parses the JSON string at text[*pos] (an opening quote) into code units.
inline Units ParseJsonUnits(const std::string& text, size_t* pos) {
  if (text.at(*pos) != '"') {
    throw std::runtime_error("expected a string at " + std::to_string(*pos));
  }
  ++*pos;
  Units units;
  while (text.at(*pos) != '"') {
    if (text[*pos] != '\\') {
      AppendUtf8AsUnits(text, pos, &units);
      continue;
    }
    char escape = text.at(*pos + 1);
    *pos += 2;
    switch (escape) {
      case 'b':
        units += u'\b';
        break;
      case 'f':
        units += u'\f';
        break;
      case 'n':
        units += u'\n';
        break;
      case 'r':
        units += u'\r';
        break;
      case 't':
        units += u'\t';
        break;
      case 'u':
        units += static_cast<char16_t>(std::stoul(text.substr(*pos, 4), nullptr, 16));
        *pos += 4;
        break;
      default:
        units += static_cast<char16_t>(escape);
        break;
    }
  }
  ++*pos;
  return units;
}

inline void SkipSpace(const std::string& text, size_t* pos) {
  while (*pos < text.size() && std::isspace(static_cast<unsigned char>(text[*pos]))) {
    ++*pos;
  }
}

inline std::string UnitsToUtf8Lossy(const Units& units);

// Reads {"origin": {"key": "value"}} keeping every code unit.
inline ExpectedStore ReadExpectedStore(const std::string& path) {
  std::string text = ReadFileBytes(path);
  ExpectedStore store;
  size_t pos = 0;
  auto expect = [&](char c) {
    SkipSpace(text, &pos);
    if (text.at(pos) != c) {
      throw std::runtime_error(std::string("expected ") + c + " at " + std::to_string(pos));
    }
    ++pos;
  };
  auto next_is = [&](char c) {
    SkipSpace(text, &pos);
    return text.at(pos) == c;
  };
  expect('{');
  while (!next_is('}')) {
    std::string origin = UnitsToUtf8Lossy(ParseJsonUnits(text, &pos));
    expect(':');
    expect('{');
    auto& keys = store[origin];
    while (!next_is('}')) {
      Units key = ParseJsonUnits(text, &pos);
      expect(':');
      SkipSpace(text, &pos);
      keys[key] = ParseJsonUnits(text, &pos);
      if (next_is(',')) {
        ++pos;
      }
    }
    expect('}');
    if (next_is(',')) {
      ++pos;
    }
  }
  return store;
}

inline bool HasUnpairedSurrogate(const Units& units) {
  for (size_t i = 0; i < units.size(); ++i) {
    char16_t unit = units[i];
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      ++i;
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      return true;
    }
  }
  return false;
}

// UTF-8 of `units`, each unpaired surrogate as U+FFFD (written independently of utf16.cc).
inline std::string UnitsToUtf8Lossy(const Units& units) {
  std::string out;
  auto put = [&out](uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t unit = units[i];
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      put(0x10000 + ((unit - 0xD800) << 10) + (units[++i] - 0xDC00));
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      put(0xFFFD);
    } else {
      put(unit);
    }
  }
  return out;
}

}  // namespace ferry::testing
