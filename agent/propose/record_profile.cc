#include "agent/propose/record_profile.h"

#include "agent/propose/secret_hint.h"
#include "transformers/datetime.h"

namespace ferry::propose {

namespace {

// 1973-03-03 .. 5138-11-16 in milliseconds: a number there, in a field of times, is a time.
constexpr int64_t kMinEpochMs = 100'000'000'000;
constexpr int64_t kMaxEpochMs = 100'000'000'000'000;

}  // namespace

uint8_t KindOf(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return kNull;
    case simdjson::dom::element_type::BOOL:
      return kBool;
    case simdjson::dom::element_type::INT64:
      return kInt;
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return kReal;
    case simdjson::dom::element_type::STRING:
      return kString;
    case simdjson::dom::element_type::OBJECT:
      return kObject;
    case simdjson::dom::element_type::ARRAY:
      return kArray;
    default:
      return kReal;  // a big number kept as written
  }
}

std::string PathStep(std::string_view name) {
  std::string step;
  for (char c : name) {
    if (c == '.' || c == '\\') step += '\\';
    step += c;
  }
  return step;
}

namespace {

int BitIndex(uint8_t bit) {
  int index = 0;
  while (bit > 1) {
    bit >>= 1;
    ++index;
  }
  return index;
}

}  // namespace

uint8_t FieldProfile::UsualKinds() const {
  uint8_t usual = kinds & kNull;
  for (int i = 1; i < 7; ++i) {
    if (kind_counts[i] > 0 && kind_counts[i] * 10 >= non_null) usual |= (1 << i);
  }
  return usual;
}

const FieldProfile* RecordProfile::Find(std::string_view name) const {
  for (const FieldProfile& field : fields_) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

FieldProfile* RecordProfile::Field(std::string_view name) {
  for (FieldProfile& field : fields_) {
    if (field.name == name) return &field;
  }
  if (fields_.size() >= kMaxFields) {
    too_many_fields_ = true;
    return nullptr;
  }
  FieldProfile field;
  field.name = std::string(name);
  field.secret = SecretNameReason(name);
  fields_.push_back(std::move(field));
  return &fields_.back();
}

void RecordProfile::NoteSecret(std::string path, std::string reason) {
  for (const SecretPath& known : nested_secrets_) {
    if (known.path == path) return;
  }
  if (nested_secrets_.size() < kMaxSecretPaths) {
    nested_secrets_.push_back(SecretPath{std::move(path), std::move(reason)});
  }
}

void RecordProfile::FindNestedSecrets(simdjson::dom::element value, const std::string& path,
                                      int depth) {
  if (depth > kMaxSecretDepth || !value.is_object()) return;
  for (auto member : simdjson::dom::object(value)) {
    std::string child = path + "." + PathStep(member.key);
    std::string reason = SecretNameReason(member.key);
    if (reason.empty() && member.value.is_string()) {
      reason = SecretValueReason(std::string_view(member.value));
    }
    if (!reason.empty()) {
      NoteSecret(child, reason);
    } else {
      FindNestedSecrets(member.value, child, depth + 1);
    }
  }
}

void RecordProfile::Add(simdjson::dom::element record) {
  ++records_;
  kinds_ |= KindOf(record);
  if (!record.is_object()) return;
  ++objects_;
  for (auto member : simdjson::dom::object(record)) {
    FieldProfile* field = Field(member.key);
    if (field == nullptr) continue;
    ++field->present;
    uint8_t kind = KindOf(member.value);
    field->kinds |= kind;
    ++field->kind_counts[BitIndex(kind)];
    if (kind != kNull) ++field->non_null;
    if (kind == kString) {
      std::string_view text(member.value);
      if (ParseRfc3339Millis(text)) ++field->date_times;
      if (field->secret.empty()) field->secret = SecretValueReason(text);
    } else if (kind == kInt) {
      int64_t ms = int64_t(member.value);
      if (ms >= kMinEpochMs && ms < kMaxEpochMs) ++field->epoch_ms;
    } else if (kind == kObject && field->secret.empty()) {
      FindNestedSecrets(member.value, PathStep(member.key), 1);
    }
  }
}

void RecordProfile::Merge(const RecordProfile& other) {
  records_ += other.records_;
  objects_ += other.objects_;
  kinds_ |= other.kinds_;
  too_many_fields_ = too_many_fields_ || other.too_many_fields_;
  for (const FieldProfile& theirs : other.fields_) {
    FieldProfile* mine = Field(theirs.name);
    if (mine == nullptr) continue;
    mine->present += theirs.present;
    mine->non_null += theirs.non_null;
    mine->kinds |= theirs.kinds;
    for (size_t i = 0; i < mine->kind_counts.size(); ++i) {
      mine->kind_counts[i] += theirs.kind_counts[i];
    }
    mine->date_times += theirs.date_times;
    mine->epoch_ms += theirs.epoch_ms;
    if (mine->secret.empty()) mine->secret = theirs.secret;
  }
  for (const SecretPath& secret : other.nested_secrets_) NoteSecret(secret.path, secret.reason);
}

}  // namespace ferry::propose
