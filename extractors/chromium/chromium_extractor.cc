#include "extractors/chromium/chromium_extractor.h"

#include <fmt/format.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/detection.h"
#include "extractors/chromium/key_codec.h"
#include "extractors/chromium/leveldb_reader.h"
#include "extractors/chromium/value_codec.h"
#include "extractors/common/json_exact.h"
#include "extractors/common/origin_filter.h"
#include "extractors/common/store_copy.h"
#include "extractors/common/store_extractor.h"

namespace ferry {

namespace {

using chromium::LevelDbReader;
using chromium::StoreLocation;

// Bytes of the files that are copied and read, for the progress bar.
uint64_t StoreBytes(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    std::string name = it->path().filename().string();
    std::error_code file_error;
    if (chromium::IsCopiedStoreFile(name) && !it->is_symlink(file_error) &&
        it->is_regular_file(file_error)) {
      uint64_t size = it->file_size(file_error);
      bytes += file_error ? 0 : size;
    }
  }
  return bytes;
}

class ChromiumExtractor final : public StoreExtractor {
 public:
  explicit ChromiumExtractor(SourceSpec spec) : spec_(std::move(spec)) {}

  Status Open() override {
    Result<std::vector<StoreLocation>> stores = chromium::FindStores(spec_.path);
    if (!stores.ok()) {
      status_ = stores.status();
      return status_;
    }
    stores_ = std::move(stores).value();
    for (const StoreLocation& store : stores_) {
      size_.bytes += store.refused.ok() ? StoreBytes(store.leveldb_dir) : 0;
    }
    size_.units = stores_.size();
    Advance();
    // A source that is one unreadable store fails here rather than looking empty.
    return status_;
  }

  SourceUnits Units() const override {
    std::vector<std::string> names;
    for (const StoreLocation& store : stores_) names.push_back(store.unit);
    return ProfileUnits(std::move(names));
  }

  void Next() override {
    if (valid_) {
      // Moving on may load the next table block while this one is alive.
      ReleaseLargeValue();
      reader_->Next();
      Advance();
    }
  }

 private:
  // Moves to the next entry of this or a later store; sets valid_ and status_.
  void Advance() {
    valid_ = false;
    while (status_.ok()) {
      if (reader_ == nullptr) {
        if (next_store_ >= stores_.size()) {
          return;
        }
        StartStore(stores_[next_store_++]);
        continue;
      }
      if (!reader_->Valid()) {
        reader_.reset();
        copy_.reset();  // removes the private copy
        continue;
      }
      if (TakeEntry()) {
        valid_ = true;
        return;
      }
      reader_->Next();
    }
  }

  // Copies the store aside and opens the copy. A store that cannot be read ends the
  // iteration when it is the source's only one; among several it is reported and skipped.
  void StartStore(const StoreLocation& store) {
    store_ = store;
    if (!store.refused.ok()) {  // behind a link: reported, never read
      Location where;
      where.file = store.leveldb_dir;
      Report(where, store.refused);
      return;
    }
    Status failure;
    Result<std::unique_ptr<StoreCopy>> copy =
        StoreCopy::Make(store.leveldb_dir, "chromium", chromium::IsCopiedStoreFile);
    if (copy.ok()) {
      copy_ = std::move(copy).value();
      for (const Status& refused : copy_->refused()) {
        Location where;
        where.file = store.leveldb_dir;
        Report(where, refused);
      }
      auto reporter = [this](const Location& where, const Status& problem) {
        Report(where, problem);
      };
      Result<std::unique_ptr<LevelDbReader>> reader =
          LevelDbReader::Open(copy_->path(), store.leveldb_dir, reporter);
      if (reader.ok()) {
        reader_ = std::move(reader).value();
        return;
      }
      failure = reader.status();
      copy_.reset();
    } else {
      failure = copy.status();
    }
    if (stores_.size() > 1 && failure.IsCorruption()) {
      Location where;
      where.file = store.leveldb_dir;
      Report(where, failure);
    } else {
      status_ = failure;
    }
  }

  // Fills entry_ from the reader's current key when it is a selected data entry.
  bool TakeEntry() {
    chromium::StoreKey key = chromium::ParseStoreKey(reader_->key());
    switch (key.kind) {
      case chromium::StoreKeyKind::kData:
        break;
      case chromium::StoreKeyKind::kMeta:
      case chromium::StoreKeyKind::kMetaAccess:
        return false;
      case chromium::StoreKeyKind::kVersion:
        if (reader_->value() != chromium::kKnownVersion) {
          ReportHere("", "",
                     fmt::format("localStorage schema VERSION is \"{}\", not \"{}\"; "
                                 "read as version {}",
                                 chromium::PrintableBytes(reader_->value()),
                                 chromium::kKnownVersion, chromium::kKnownVersion));
        }
        return false;
      case chromium::StoreKeyKind::kMalformed:
      case chromium::StoreKeyKind::kUnknown:
        ReportHere("", "",
                   fmt::format("unrecognised key \"{}\" skipped",
                               chromium::PrintableBytes(reader_->key())));
        return false;
    }
    if (!OriginSelected(spec_.origins, key.origin)) {
      return false;
    }
    std::string origin(key.origin);
    Utf16Damage key_damage;
    Utf16Damage value_damage;
    if (Status bad = chromium::DecodeStoredString(key.encoded_key, &entry_.key, &key_damage);
        !bad.ok()) {
      ReportHere(origin, "",
                 fmt::format("key \"{}\": {}; entry skipped",
                             chromium::PrintableBytes(key.encoded_key), bad.message()));
      return false;
    }
    if (Status bad = chromium::DecodeStoredString(reader_->value(), &entry_.value, &value_damage);
        !bad.ok()) {
      ReportHere(origin, entry_.key, fmt::format("value: {}; entry skipped", bad.message()));
      return false;
    }
    if (entry_.value.size() > spec_.max_value_bytes) {
      ReportHere(origin, entry_.key,
                 ValueTooLarge(entry_.value.size(), spec_.max_value_bytes).message());
      return false;
    }
    entry_.unit = store_.unit;
    entry_.origin = std::move(origin);
    entry_.lossy = key_damage.any() || value_damage.any();
    if (entry_.lossy) {
      FillExact(key.encoded_key, key_damage, value_damage);
    } else {
      ClearExact();
    }
    entry_.where = reader_->where();
    entry_.where.origin = entry_.origin;
    entry_.where.key = entry_.key;
    return true;
  }

  // A lossy entry is not reported as damage: Entry::lossy_detail says what was wrong, and the
  // consumer flags it (migrate), rejects it (--strict-unicode) or keeps it exactly (export).
  void FillExact(std::string_view encoded_key, const Utf16Damage& key_damage,
                 const Utf16Damage& value_damage) {
    Utf16Damage ignored;
    entry_.exact_origin_json = JsonBody(entry_.origin);
    // Both decoded above, so neither fails here.
    (void)chromium::StoredStringToJson(encoded_key, &entry_.exact_key_json, &ignored);
    (void)chromium::StoredStringToJson(reader_->value(), &entry_.exact_value_json, &ignored);
    entry_.lossy_detail.clear();
    if (key_damage.any()) {
      entry_.lossy_detail =
          fmt::format("key is not well-formed UTF-16 ({})", key_damage.Describe());
    }
    if (value_damage.any()) {
      entry_.lossy_detail +=
          fmt::format("{}value is not well-formed UTF-16 ({})",
                      entry_.lossy_detail.empty() ? "" : "; ", value_damage.Describe());
    }
  }

  void ClearExact() {
    entry_.exact_origin_json.clear();
    entry_.exact_key_json.clear();
    std::string().swap(entry_.exact_value_json);  // may have held a big value
    entry_.lossy_detail.clear();
  }

  void ReportHere(const std::string& origin, const std::string& key, const std::string& what) {
    Location where = reader_->where();
    where.origin = origin;
    where.key = key;
    Report(where, Status::Corruption(what));
  }

  const SourceSpec spec_;
  std::vector<StoreLocation> stores_;
  size_t next_store_ = 0;
  StoreLocation store_;  // the store being read
  // Destroyed in reverse: the reader before the copy it reads.
  std::unique_ptr<StoreCopy> copy_;
  std::unique_ptr<LevelDbReader> reader_;
};

}  // namespace

std::unique_ptr<Extractor> MakeChromiumExtractor(const SourceSpec& spec) {
  return std::make_unique<ChromiumExtractor>(spec);
}

}  // namespace ferry
