#include "agent/export/dump_writer.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "extractors/common/json_exact.h"

namespace ferry {

namespace {

bool HasExact(const Entry& entry) {
  return entry.lossy && !(entry.exact_origin_json.empty() && entry.exact_key_json.empty() &&
                          entry.exact_value_json.empty());
}

// Appends the canonical body of one field to *out: a lossy entry's exact text, else the UTF-8
// text escaped. (A lossy entry without exact text, from a source that keeps none, is written
// with its U+FFFD.)
Status AppendBody(const Entry& entry, const std::string& text, const std::string& exact,
                  const char* part, std::string* out) {
  if (HasExact(entry)) {
    out->append(exact);
    return Status::OK();
  }
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    return Status::Corruption(
        fmt::format("{}: the {} is not UTF-8; nothing was exported", entry.where.ToString(), part));
  }
  AppendJsonBody(text, out);
  return Status::OK();
}

// Writes the canonical body of a field to *out as AppendBody would append it, a slice at a
// time through *scratch: a value of hundreds of MiB is never copied whole (escaping works byte
// by byte, so any cut is safe), and the scratch keeps its capacity from one value to the next
// (a fresh string for each value grew by doubling, copying what it held, up to six times a
// MiB slice). REQUIRES: AppendBody's checks passed (the text is UTF-8).
void WriteBody(const Entry& entry, const std::string& text, const std::string& exact,
               std::string* scratch, std::ostream* out) {
  if (HasExact(entry)) {
    out->write(exact.data(), static_cast<std::streamsize>(exact.size()));
    return;
  }
  constexpr size_t kSlice = 64 << 10;
  for (size_t at = 0; at < text.size(); at += kSlice) {
    scratch->clear();
    AppendJsonBody(std::string_view(text).substr(at, kSlice), scratch);
    out->write(scratch->data(), static_cast<std::streamsize>(scratch->size()));
  }
}

}  // namespace

Status DumpWriter::Add(const Entry& entry) {
  std::string origin;
  std::string key;
  FERRY_RETURN_IF_ERROR(
      AppendBody(entry, entry.origin, entry.exact_origin_json, "origin", &origin));
  FERRY_RETURN_IF_ERROR(AppendBody(entry, entry.key, entry.exact_key_json, "key", &key));
  buffer_.clear();
  if (!open_origin_ || origin != origin_body_) {
    FERRY_RETURN_IF_ERROR(CheckKeys());
    if (!seen_origins_.insert(origin).second) {
      return Status::InvalidArgument(fmt::format(
          "origin \"{}\" comes again in {} after other origins (several profiles or files hold "
          "it): export them one at a time",
          origin, entry.unit));
    }
    buffer_ += open_origin_ ? "\n },\n \"" : "{\n \"";
    buffer_ += origin;
    buffer_ += "\": {";
    origin_body_ = std::move(origin);
    origin_unit_ = entry.unit;
    open_origin_ = true;
    keys_ = std::make_unique<SpillingKeyIndex>(key_memory_budget_);
    has_last_key_ = false;  // "" is a key too
  } else if (entry.unit != origin_unit_) {
    return Status::InvalidArgument(
        fmt::format("origin \"{}\" is held by both {} and {}: export them one at a time",
                    origin_body_, origin_unit_, entry.unit));
  } else {
    buffer_ += ',';
  }
  // A damaged store's repeated key comes next to its first (Firefox rows are sorted by key):
  // it is Rejected before anything of it is written, and the dump goes on. A repeat further
  // apart (no source ferry reads yields one) is found when the origin ends.
  if (has_last_key_ &&
      key == last_key_) {  // nothing of the entry is written yet (buffer_ goes out below)
    return Status::Rejected(
        fmt::format("{}: key \"{}\" comes twice in origin \"{}\" (a damaged store); the second "
                    "is not exported",
                    entry.where.ToString(), key, origin_body_));
  }
  FERRY_RETURN_IF_ERROR(keys_->Put(key, 0, entry.where.ToString()));
  last_key_ = key;
  has_last_key_ = true;
  if (!HasExact(entry) && !simdjson::validate_utf8(entry.value.data(), entry.value.size())) {
    return Status::Corruption(
        fmt::format("{}: the value is not UTF-8; nothing was exported", entry.where.ToString()));
  }
  buffer_ += "\n  \"";
  buffer_ += key;
  buffer_ += "\": \"";
  out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  WriteBody(entry, entry.value, entry.exact_value_json, &escaped_, out_);
  out_->put('"');
  ++entries_;
  return CheckStream(entry);
}

Status DumpWriter::CheckKeys() {
  if (keys_ == nullptr) return Status::OK();
  std::unique_ptr<SpillingKeyIndex> keys = std::move(keys_);
  FERRY_RETURN_IF_ERROR(keys->Finish());
  for (; keys->Valid(); keys->Next()) {
    if (keys->count() > 1) {
      // The value is the place of the key's last Add: the second time it came, or a later one.
      return Status::InvalidArgument(fmt::format("{}: key \"{}\" comes twice in origin \"{}\"",
                                                 keys->value(), keys->key(), origin_body_));
    }
  }
  return keys->status();
}

Status DumpWriter::Finish() {
  FERRY_RETURN_IF_ERROR(CheckKeys());
  *out_ << (open_origin_ ? "\n }\n}\n" : "{}\n");
  out_->flush();
  return CheckStream(Entry{});
}

Status DumpWriter::CheckStream(const Entry& entry) const {
  if (*out_) return Status::OK();
  return Status::IOError(entry.where.file.empty() ? std::string("cannot write the dump")
                                                  : fmt::format("cannot write the dump (at {})",
                                                                entry.where.ToString()));
}

}  // namespace ferry
