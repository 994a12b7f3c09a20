#include "extractors/firefox/firefox_extractor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "extractors/common/origin_filter.h"
#include "extractors/common/store_extractor.h"
#include "extractors/common/utf16.h"
#include "extractors/firefox/detection.h"
#include "extractors/firefox/firefox_format.h"
#include "extractors/firefox/legacy_store.h"
#include "extractors/firefox/ls_store.h"
#include "extractors/firefox/origin_name.h"
#include "extractors/firefox/text_codec.h"
#include "extractors/firefox/value_codec.h"

namespace ferry {

namespace {

using firefox::DecodedText;
using firefox::LegacyOrigin;
using firefox::LegacyStore;
using firefox::LsStore;
using firefox::ProfileStores;
using firefox::RowCursor;

// One origin of a profile, and the store it is read from.
struct PlannedOrigin {
  std::string origin;       // "" when only the database can tell (an undecodable folder name)
  std::string sort_key;     // the origin, else the folder name
  std::string file;         // the original database file
  std::string folder_name;  // a data.sqlite's origin folder name, or ""
  const LegacyStore* legacy = nullptr;  // set for an origin of a legacy store
  LegacyOrigin legacy_origin;
};

uint64_t FileSize(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

// A database file with the -wal and -journal that are copied with it.
uint64_t DatabaseBytes(const std::string& file) {
  if (file.empty()) {
    return 0;
  }
  return FileSize(file) + FileSize(file + std::string(firefox::kWalSuffix)) +
         FileSize(file + std::string(firefox::kJournalSuffix));
}

// An origin read from a `database` row: printable ASCII, as Firefox writes origins.
bool IsPlausibleOrigin(const std::string& origin) {
  return !origin.empty() && origin.find("://") != std::string::npos &&
         std::all_of(origin.begin(), origin.end(), [](char c) { return c > 0x20 && c < 0x7F; });
}

class FirefoxExtractor final : public StoreExtractor {
 public:
  explicit FirefoxExtractor(SourceSpec spec) : spec_(std::move(spec)) {}

  Status Open() override {
    Result<std::vector<ProfileStores>> profiles = firefox::FindProfiles(spec_.path);
    if (!profiles.ok()) {
      status_ = profiles.status();
      return status_;
    }
    profiles_ = std::move(profiles).value();
    for (const ProfileStores& profile : profiles_) {
      for (const std::string& file : profile.data_files) {
        size_.bytes += DatabaseBytes(file);
      }
      size_.bytes += DatabaseBytes(profile.archive_file) + DatabaseBytes(profile.webapps_file);
      store_count_ +=
          profile.data_files.size() + !profile.archive_file.empty() + !profile.webapps_file.empty();
    }
    size_.units = profiles_.size();
    Advance();
    // A source that is one unreadable store fails here rather than looking empty.
    return status_;
  }

  SourceUnits Units() const override {
    std::vector<std::string> names;
    for (const ProfileStores& profile : profiles_) names.push_back(profile.unit);
    return ProfileUnits(std::move(names));
  }

  void Next() override {
    if (valid_) {
      ReleaseLargeValue();
      Advance();
    }
  }

 private:
  // Moves to the next entry of this or a later origin or profile; sets valid_ and status_.
  void Advance() {
    valid_ = false;
    while (status_.ok()) {
      if (rows_ == nullptr) {
        CloseOrigin();
        if (next_origin_ < plan_.size()) {
          StartOrigin(plan_[next_origin_++]);
          continue;
        }
        if (next_profile_ >= profiles_.size()) {
          legacy_.clear();
          return;
        }
        StartProfile(profiles_[next_profile_++]);
        continue;
      }
      if (!rows_->Next(&row_)) {
        if (!rows_->status().ok()) {
          RowsFailed();
        } else {
          rows_ = nullptr;
        }
        continue;
      }
      if (TakeRow()) {
        valid_ = true;
        return;
      }
    }
  }

  // Reading rows failed (a damaged page): reported; a data.sqlite read in key order gets a
  // second chance, the rest of its table in storage order.
  void RowsFailed() {
    const Status& failure = rows_->status();
    if (!failure.IsCorruption()) {  // the private copy cannot be read: nothing is knowable
      status_ = failure;
      rows_ = nullptr;
      return;
    }
    bool retry = ls_ != nullptr && !reading_rest_;
    Report(Here(""),
           Status::Corruption(fmt::format("{}; {}", failure.message(),
                                          retry ? "reading the rest of the table in storage order"
                                                : "the rows after it are lost")));
    rows_ = nullptr;
    if (retry) {
      reading_rest_ = true;
      std::optional<std::string> after = ls_->rows()->last_key();
      Status again = ls_->ReadRestFromTable(after);
      if (again.ok()) {
        rows_ = ls_->rows();
      } else {
        Report(Here(""), again);
      }
    }
  }

  void CloseOrigin() {
    reading_rest_ = false;
    rows_ = nullptr;
    legacy_rows_.reset();
    ls_.reset();  // removes the private copy
  }

  bool Selected(const std::string& origin) const {
    return OriginSelected(spec_.origins, origin) ||
           OriginSelected(spec_.origins, firefox::OriginWithoutAttributes(origin));
  }

  // A store that cannot be read: the end when it is the source's only store (or the failure
  // is no damage), else reported and skipped.
  void Fail(const std::string& file, const Status& failure) {
    if (store_count_ > 1 && failure.IsCorruption()) {
      Location where;
      where.file = file;
      Report(where, failure);
    } else {
      status_ = failure;
    }
  }

  // Plans the origins of `profile`: each from the newest store that holds it.
  void StartProfile(const ProfileStores& profile) {
    unit_ = profile.unit;
    for (const Status& refused : profile.refused) {  // behind a link: reported, never read
      Location where;
      where.file = profile.unit;
      Report(where, refused);
    }
    plan_.clear();
    next_origin_ = 0;
    legacy_.clear();
    std::set<std::string> planned;
    for (const std::string& file : profile.data_files) {
      PlannedOrigin origin;
      origin.file = file;
      origin.folder_name = firefox::OriginFolderOf(file);
      if (Result<std::string> decoded = firefox::OriginFromFolderName(origin.folder_name);
          decoded.ok()) {
        origin.origin = *decoded;
      }
      if (!origin.origin.empty() && !Selected(origin.origin)) {
        continue;
      }
      origin.sort_key = origin.origin.empty() ? origin.folder_name : origin.origin;
      planned.insert(origin.origin);
      plan_.push_back(std::move(origin));
    }
    PlanLegacy(profile.archive_file, profile, &planned);
    if (status_.ok()) {
      PlanLegacy(profile.webapps_file, profile, &planned);
    }
    std::stable_sort(
        plan_.begin(), plan_.end(),
        [](const PlannedOrigin& a, const PlannedOrigin& b) { return a.sort_key < b.sort_key; });
  }

  // Adds the origins of a legacy store that no newer store of the profile holds.
  void PlanLegacy(const std::string& file, const ProfileStores& profile,
                  std::set<std::string>* planned) {
    if (file.empty()) {
      return;
    }
    Result<std::unique_ptr<LegacyStore>> store = LegacyStore::Open(file);
    Result<std::vector<LegacyOrigin>> origins =
        store.ok() ? (*store)->Origins() : Result<std::vector<LegacyOrigin>>(store.status());
    if (!origins.ok()) {
      Fail(file, origins.status());
      return;
    }
    Location where;
    where.file = file;
    if (!(*store)->truncation().empty()) {
      Report(where, Status::Corruption((*store)->truncation()));
    }
    size_t read = 0;
    size_t stale = 0;
    for (const LegacyOrigin& legacy : *origins) {
      Result<std::string> origin =
          firefox::OriginFromStorageKey(legacy.origin_key, legacy.attributes.value_or(""));
      if (!origin.ok()) {
        Report(where, Status::Corruption(
                          fmt::format("{}; its rows are skipped", origin.status().message())));
        continue;
      }
      if (!Selected(*origin)) {
        continue;
      }
      if (!planned->insert(*origin).second) {
        spdlog::warn("{}: the rows of {} are skipped: a newer store of the profile holds it", file,
                     *origin);
        ++stale;
        continue;
      }
      ++read;
      plan_.push_back({*origin, *origin, file, "", store->get(), legacy});
    }
    bool webapps = file == profile.webapps_file;
    if (webapps && profile.newer_store_beside && read + stale > 0) {
      spdlog::warn(
          "{}: Firefox's old localStorage, no longer written by default, sits beside the newer "
          "stores in storage/default and may be stale; the newer are preferred ({} origin(s) "
          "read from it, {} skipped){}",
          file, read, stale,
          profile.data_files.empty() ? "; give the profile folder to read the newer stores" : "");
    }
    legacy_.push_back(std::move(store).value());
  }

  void StartOrigin(const PlannedOrigin& planned) {
    current_ = &planned;
    origin_ = planned.origin;
    if (planned.legacy != nullptr) {
      Result<std::unique_ptr<RowCursor>> rows = planned.legacy->Rows(planned.legacy_origin);
      if (!rows.ok()) {
        Fail(planned.file, rows.status());
        return;
      }
      legacy_rows_ = std::move(rows).value();
      rows_ = legacy_rows_.get();
      return;
    }
    Result<std::unique_ptr<LsStore>> store = LsStore::Open(planned.file);
    if (!store.ok()) {
      Fail(planned.file, store.status());
      return;
    }
    if (!(*store)->truncation().empty()) {
      Report(Here(""), Status::Corruption((*store)->truncation()));
    }
    origin_ = OriginOf(planned, **store);
    if (origin_.empty()) {
      Report(Here(""), Status::Corruption(fmt::format(
                           "cannot tell the origin: the folder name \"{}\" is none and the "
                           "database table names none; the store is skipped",
                           planned.folder_name)));
      return;
    }
    if (!Selected(origin_)) {
      return;
    }
    ls_ = std::move(store).value();
    rows_ = ls_->rows();
  }

  // The origin of a data.sqlite: its `database` row, else its folder name.
  std::string OriginOf(const PlannedOrigin& planned, const LsStore& store) const {
    const std::string& stored = store.stored_origin();
    if (IsPlausibleOrigin(stored)) {
      if (!planned.folder_name.empty() && firefox::FolderNameOf(stored) != planned.folder_name) {
        spdlog::warn("{}: its database table names the origin {}, its folder \"{}\"; {} is used",
                     planned.file, stored, planned.folder_name, stored);
      }
      return stored;
    }
    if (!planned.origin.empty()) {
      spdlog::warn("{}: no origin in its database table; the folder name gives {}", planned.file,
                   planned.origin);
    }
    return planned.origin;
  }

  Location Here(const std::string& key) const {
    Location where;
    where.file = current_->file;
    where.origin = origin_;
    where.key = key;
    return where;
  }

  // A lossy entry is not reported as damage (the same as chromium's): Entry::lossy_detail says
  // what was wrong, and the consumer flags it (migrate), rejects it (--strict-unicode) or
  // keeps it exactly (export).
  static std::string LossyDetail(const char* what, const DecodedText& text) {
    return fmt::format("{} is not well-formed {} ({})", what,
                       text.problem_is_utf16 ? "UTF-16" : "UTF-8", text.problem);
  }

  // Fills entry_ from row_; false (after reporting) when the row cannot be an entry.
  bool TakeRow() {
    if (row_.key_null) {
      Report(Here(""), Status::Corruption("a row with a NULL key is skipped"));
      return false;
    }
    DecodedText key =
        row_.key_utf16le ? firefox::DecodeUtf16Le(row_.key) : firefox::DecodeUtf8(row_.key);
    if (row_.value_null) {
      Report(Here(key.utf8), Status::Corruption("the value is NULL; entry skipped"));
      return false;
    }
    Result<DecodedText> value = firefox::DecodeStoredValue(row_.value);
    if (!value.ok()) {
      Report(Here(key.utf8),
             Status::Corruption(fmt::format("value: {}; entry skipped", value.status().message())));
      return false;
    }
    if (value->utf8.size() > spec_.max_value_bytes) {
      Report(Here(key.utf8), ValueTooLarge(value->utf8.size(), spec_.max_value_bytes));
      return false;
    }
    if (row_.value.utf16_length >= 0 && value->code_units != row_.value.utf16_length) {
      Report(Here(key.utf8),
             Status::Corruption(fmt::format("utf16_length is {} but the value has {} code units; "
                                            "the value is kept",
                                            row_.value.utf16_length, value->code_units)));
    }
    entry_.lossy_detail.clear();
    if (key.lossy) {
      entry_.lossy_detail = LossyDetail("key", key);
    }
    if (value->lossy) {
      entry_.lossy_detail +=
          (entry_.lossy_detail.empty() ? "" : "; ") + LossyDetail("value", *value);
    }
    entry_.unit = unit_;
    entry_.origin = origin_;
    entry_.lossy = key.lossy || value->lossy;
    if (entry_.lossy) {
      entry_.exact_origin_json = Utf16ToJsonEscapedUtf8(firefox::Utf8Units(origin_));
      entry_.exact_key_json = key.lossy ? std::move(key.exact_json)
                                        : Utf16ToJsonEscapedUtf8(firefox::Utf8Units(key.utf8));
      entry_.exact_value_json = value->lossy
                                    ? std::move(value->exact_json)
                                    : Utf16ToJsonEscapedUtf8(firefox::Utf8Units(value->utf8));
    } else {
      entry_.exact_origin_json.clear();
      entry_.exact_key_json.clear();
      entry_.exact_value_json.clear();
    }
    entry_.key = std::move(key.utf8);
    entry_.value = std::move(value->utf8);
    entry_.where = Here(entry_.key);
    return true;
  }

  const SourceSpec spec_;
  std::vector<ProfileStores> profiles_;
  size_t next_profile_ = 0;
  size_t store_count_ = 0;
  std::string unit_;
  std::vector<PlannedOrigin> plan_;  // the origins of the current profile
  size_t next_origin_ = 0;
  const PlannedOrigin* current_ = nullptr;
  std::string origin_;
  // Destroyed in reverse: cursors before the stores they read.
  std::vector<std::unique_ptr<LegacyStore>> legacy_;
  std::unique_ptr<LsStore> ls_;
  std::unique_ptr<RowCursor> legacy_rows_;
  RowCursor* rows_ = nullptr;
  bool reading_rest_ = false;  // the current data.sqlite's second chance is being read
  firefox::StoredRow row_;
};

}  // namespace

std::unique_ptr<Extractor> MakeFirefoxExtractor(const SourceSpec& spec) {
  return std::make_unique<FirefoxExtractor>(spec);
}

}  // namespace ferry
