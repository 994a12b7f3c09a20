#include <fmt/format.h>

#include "agent/run/entity_pass.h"
#include "transformers/json_records.h"
#include "transformers/json_writer.h"
#include "transformers/records_of_value.h"

namespace ferry {

Status UnitProcessor::EntityPass::AddEntry(const Entry& entry, const std::string& key_suffix,
                                           std::string* spent_value) {
  if (entity_.source.shape == SourceShape::kText && entry.shape != EntryShape::kRecord) {
    Status status = AddTextEntry(entry, key_suffix);
    ReleaseIfNothingPending();
    return status;
  }
  SourceShape shape =
      entry.shape == EntryShape::kRecord ? SourceShape::kRecord : entity_.source.shape;
  simdjson::dom::parser& parser = NextParser();
  simdjson::dom::element value;
  // The fast path: a value that parses as the scan would leave it is read without the scan
  // (no record listed: each is read as kPlain).
  Result<ScannedValue> scanned = ScannedValue();
  bool parsed = parser.parse(entry.value).get(value) == simdjson::SUCCESS &&
                PlainJson(entry.value, value, shape);
  std::string_view text = entry.value;
  if (!parsed) {
    scanned = ScanJsonRecords(entry.value, shape);
    if (!scanned.ok()) {
      Status status = AddWholeEntry(entry, key_suffix, shape);
      ReleaseIfNothingPending();
      return status;
    }
    text = scanned->Text(entry.value);
    parsed = parser.parse(text.data(), text.size()).get(value) == simdjson::SUCCESS;
    entry_records_ = scanned->records.size();
  } else {
    entry_records_ = value.is_array()    ? simdjson::dom::array(value).size()
                     : value.is_object() ? simdjson::dom::object(value).size()
                                         : 1;
  }
  owner_->report_->duplicate_members += scanned->duplicates;
  entry_bytes_ = entry.value.size();
  if (parsed && spent_value != nullptr) {
    // The document holds its own copies of the strings and the records are read from it, so
    // the value's text is freed now rather than when the batch is written: one value's size
    // less at the peak of a large value (docs/design.md, "Memory").
    std::string().swap(*spent_value);
  }
  in_entry_ = true;
  current_entry_ = &entry;
  Status status = Status::OK();
  if (parsed) {
    size_t next = 0;
    Status shape_status = RecordsOfValue(value, shape, [&](const RecordRef& ref) {
      static const ScannedRecord kPlain;
      const ScannedRecord& scan = next < scanned->records.size() ? scanned->records[next] : kPlain;
      ++next;
      if (status.ok()) status = AddScannedRecord(ref, scan, entry, key_suffix);
    });
    if (status.ok()) status = shape_status;
  } else {
    for (const ScannedRecord& scan : scanned->records) {
      if (!status.ok()) break;
      simdjson::dom::parser& own = NextParser();
      simdjson::dom::element record;
      std::string_view record_text = text.substr(scan.begin, scan.end - scan.begin);
      auto error = scan.too_deep ? simdjson::SUCCESS
                                 : own.parse(record_text.data(), record_text.size()).get(record);
      if (error != simdjson::SUCCESS) {
        status = RejectUnreadRecord(
            entry, scan, fmt::format("the record is not JSON: {}", simdjson::error_message(error)));
        continue;
      }
      status =
          AddScannedRecord(RecordRef{record, scan.index, scan.member}, scan, entry, key_suffix);
    }
  }
  in_entry_ = false;
  owner_->unit_bytes_done_ += entry_bytes_;
  ReleaseIfNothingPending();
  return status;
}

void UnitProcessor::EntityPass::ReleaseIfNothingPending() {
  if (!pending_.empty() || in_entry_) return;
  parsers_used_ = 0;
  ReleaseHeldEntries();
}

Status UnitProcessor::EntityPass::AddSpilledEntry(std::unique_ptr<Entry> entry,
                                                  const std::string& key_suffix) {
  if (!pending_.empty() && held_bytes_ + entry->value.size() > kUnitMemoryBudget) {
    FERRY_RETURN_IF_ERROR(Flush());
  }
  held_bytes_ += entry->value.size();
  held_.push_back(std::move(entry));
  Entry& held = *held_.back();
  return AddEntry(held, key_suffix, &held.value);
}

Status UnitProcessor::EntityPass::AddScannedRecord(const RecordRef& ref, const ScannedRecord& scan,
                                                   const Entry& entry,
                                                   const std::string& key_suffix) {
  if (scan.too_deep) {
    return RejectUnreadRecord(
        entry, scan,
        fmt::format("the record is nested deeper than {} levels, the limit", kMaxRecordDepth));
  }
  if (scan.lossy) {
    Location where = entry.where;
    if (scan.index >= 0) where.index = scan.index;
    const std::string detail =
        "a string of the record is not well-formed UTF-16 (an unpaired surrogate escape)";
    RunReport& report = *owner_->report_;
    report.lossy_entries++;
    if (report.lossy_examples.size() < kMaxExamples) {
      report.lossy_examples.push_back(fmt::format("{}: {}", where.ToString(), detail));
    }
    if (owner_->options_.strict_unicode) {
      return RejectUnreadRecord(entry, scan, detail + "; rejected by --strict-unicode");
    }
  }
  return AddRecord(ref, entry, key_suffix);
}

Status UnitProcessor::EntityPass::RejectUnreadRecord(const Entry& entry, const ScannedRecord& scan,
                                                     std::string reason) {
  counts_.read++;
  records_seen_++;
  ::ferry::Reject reject;
  reject.entity = entity_.name;
  reject.where = entry.where;
  if (scan.index >= 0) reject.where.index = scan.index;
  reject.reason =
      scan.member ? fmt::format("member \"{}\": {}", *scan.member, reason) : std::move(reason);
  return owner_->Reject(user_id_, std::move(reject));
}

Status UnitProcessor::EntityPass::AddTextEntry(const Entry& entry, const std::string& key_suffix) {
  std::string json;
  json.reserve(entry.value.size() + 2);
  AppendJsonString(entry.value, &json);
  simdjson::dom::parser& parser = NextParser();
  simdjson::dom::element value;
  if (parser.parse(json).get(value) != simdjson::SUCCESS) {
    return Status::Corruption(
        fmt::format("key \"{}\": its text did not read back as a string", entry.key));
  }
  entry_records_ = 1;
  entry_bytes_ = entry.value.size();
  in_entry_ = true;
  Status status = AddRecord(RecordRef{value, -1, std::nullopt}, entry, key_suffix);
  in_entry_ = false;
  owner_->unit_bytes_done_ += entry.value.size();
  return status;
}

Status UnitProcessor::EntityPass::AddWholeEntry(const Entry& entry, const std::string& key_suffix,
                                                SourceShape shape) {
  simdjson::dom::parser& parser = NextParser();
  simdjson::dom::element value;
  auto error = parser.parse(entry.value).get(value);
  entry_bytes_ = entry.value.size();
  in_entry_ = true;
  current_entry_ = &entry;
  if (error != simdjson::SUCCESS) {
    counts_.read++;
    ::ferry::Reject reject;
    reject.entity = entity_.name;
    reject.where = entry.where;
    reject.reason = fmt::format("the value of key \"{}\" is not JSON: {}", entry.key,
                                simdjson::error_message(error));
    in_entry_ = false;
    return owner_->Reject(user_id_, std::move(reject));
  }
  Status status = Status::OK();
  entry_records_ = value.is_array() ? value.get_array().size() : 0;
  Status shape_status = RecordsOfValue(value, shape, [&](const RecordRef& ref) {
    if (status.ok()) status = AddRecord(ref, entry, key_suffix);
  });
  in_entry_ = false;
  owner_->unit_bytes_done_ += entry.value.size();
  FERRY_RETURN_IF_ERROR(status);
  if (!shape_status.ok()) {
    counts_.read++;
    ::ferry::Reject reject;
    reject.entity = entity_.name;
    reject.where = entry.where;
    reject.reason = fmt::format("key \"{}\": {}", entry.key, shape_status.message());
    return owner_->Reject(user_id_, std::move(reject));
  }
  return Status::OK();
}

}  // namespace ferry
