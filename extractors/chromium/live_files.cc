#include "extractors/chromium/live_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <system_error>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/key_codec.h"
#include "extractors/chromium/manifest.h"

namespace ferry::chromium {

namespace {

constexpr size_t kMaxCurrentBytes = 4096;

// The number of "NNNNNN<suffix>" or "<prefix>NNNNNN", or nullopt.
std::optional<uint64_t> FileNumber(std::string_view name, std::string_view prefix,
                                   std::string_view suffix) {
  if (name.size() <= prefix.size() + suffix.size() || name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 19) {
    return std::nullopt;
  }
  uint64_t number = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    number = number * 10 + static_cast<uint64_t>(c - '0');
  }
  return number;
}

struct FolderFiles {
  std::map<uint64_t, std::string> manifests;  // by number
  std::map<uint64_t, std::string> logs;
  std::map<uint64_t, std::string> tables;
  std::map<std::string, uint64_t> sizes;  // every regular file
};

Result<FolderFiles> ListFolder(const std::string& dir, const std::string& display_dir) {
  FolderFiles files;
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  if (error) {
    return Status::IOError(
        fmt::format("{}: cannot list the folder: {}", display_dir, error.message()));
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) {
      return Status::IOError(
          fmt::format("{}: cannot list the folder: {}", display_dir, error.message()));
    }
    std::error_code file_error;
    uint64_t size = it->is_regular_file(file_error) ? it->file_size(file_error) : 0;
    if (file_error || !it->is_regular_file(file_error)) {
      continue;  // not a file, or gone: as if it were not there
    }
    std::string name = it->path().filename().string();
    files.sizes[name] = size;
    if (auto number = FileNumber(name, kManifestPrefix, "")) {
      files.manifests[*number] = name;
    } else if (auto log = FileNumber(name, "", kLogSuffix)) {
      files.logs[*log] = name;
    } else if (auto table = FileNumber(name, "", kTableSuffix)) {
      files.tables[*table] = name;
    } else if (auto old_table = FileNumber(name, "", kOldTableSuffix)) {
      files.tables.emplace(*old_table, name);  // ".ldb" wins when both exist
    }
  }
  return files;
}

struct CurrentFile {
  std::optional<std::string> manifest;  // the MANIFEST it names, when present in the folder
  std::string problem;                  // what is wrong with it, or empty
};

CurrentFile ReadCurrent(const std::string& dir, const FolderFiles& files) {
  CurrentFile current;
  if (files.sizes.count(std::string(kCurrentFile)) == 0) {
    current.problem = "CURRENT is missing";
    return current;
  }
  std::ifstream in(dir + "/" + std::string(kCurrentFile), std::ios::binary);
  std::string text(kMaxCurrentBytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.empty()) {
    current.problem = "CURRENT is empty";
    return current;
  }
  bool newline = text.back() == '\n';
  std::string name = newline ? text.substr(0, text.size() - 1) : text;
  if (!FileNumber(name, kManifestPrefix, "")) {
    current.problem = fmt::format("CURRENT does not name a MANIFEST: \"{}\"", PrintableBytes(text));
  } else if (files.sizes.count(name) == 0) {
    current.problem = fmt::format("CURRENT names {}, which is missing", name);
  } else {
    current.manifest = name;
    if (!newline) {
      current.problem = "CURRENT does not end with a newline (cut short?)";
    }
  }
  return current;
}

}  // namespace

Result<LiveFiles> FindLiveFiles(const std::string& dir, const std::string& display_dir,
                                const CorruptionReporter& reporter) {
  FERRY_ASSIGN_OR_RETURN(FolderFiles files, ListFolder(dir, display_dir));
  CurrentFile current = ReadCurrent(dir, files);
  // The MANIFEST CURRENT names, then the others from the newest.
  std::vector<std::string> candidates;
  if (current.manifest) {
    candidates.push_back(*current.manifest);
  }
  for (auto it = files.manifests.rbegin(); it != files.manifests.rend(); ++it) {
    if (it->second != current.manifest) {
      candidates.push_back(it->second);
    }
  }
  std::optional<ManifestState> state;
  LiveFiles live;
  for (const std::string& candidate : candidates) {
    std::string display_path = display_dir + "/" + candidate;
    Result<ManifestState> read = ReadManifest(dir + "/" + candidate, display_path, reporter);
    if (read.ok()) {
      state = std::move(read).value();
      live.manifest = candidate;
      break;
    }
    Location where;
    where.file = display_path;
    reporter(where, read.status());
  }
  if (!state) {
    return Status::Corruption(fmt::format(
        "{}: {}{}no readable MANIFEST ({}), so the live tables and logs cannot be told from "
        "obsolete ones; nothing is read from this store",
        display_dir, current.problem, current.problem.empty() ? "" : " and ",
        files.manifests.empty() ? "none in the folder" : "every MANIFEST-* is damaged"));
  }
  if (!current.problem.empty() || live.manifest != current.manifest) {
    Location where;
    where.file = display_dir + "/" + std::string(kCurrentFile);
    std::string what = current.problem.empty()
                           ? fmt::format("{} named by CURRENT is unreadable", *current.manifest)
                           : current.problem;
    reporter(where,
             Status::Corruption(fmt::format(
                 "{}; read {}{}", what, live.manifest,
                 live.manifest == current.manifest ? "" : ", the newest readable MANIFEST")));
  }
  if (!state->comparator.empty() && state->comparator != kBytewiseComparator) {
    return Status::Corruption(fmt::format(
        "{}/{}: keys are ordered by \"{}\", not {}: not a Chromium localStorage store", display_dir,
        live.manifest, PrintableBytes(state->comparator), kBytewiseComparator));
  }
  for (const auto& [number, info] : state->tables) {
    auto found = files.tables.find(number);
    if (found == files.tables.end()) {
      Location where;
      where.file = fmt::format("{}/{:06d}{}", display_dir, number, kTableSuffix);
      reporter(where, Status::Corruption(fmt::format(
                          "live table {:06d}{} (level {}, {} bytes) listed in {} is missing; "
                          "its entries are lost",
                          number, kTableSuffix, info.level, info.size, live.manifest)));
      continue;
    }
    live.tables.push_back({found->second, files.sizes[found->second], info.size});
  }
  for (const auto& [number, name] : files.logs) {
    if (number >= state->log_number || number == state->prev_log_number) {
      live.logs.push_back(name);
    }
  }
  return live;
}

}  // namespace ferry::chromium
