#include "agent/propose/key_groups.h"

#include <fmt/format.h>

#include <algorithm>

#include "agent/propose/secret_hint.h"

namespace ferry::propose {

namespace {

ValueKind Classify(const std::string& value, simdjson::dom::parser* parser, KeyGroup* group) {
  simdjson::dom::element parsed;
  if (parser->parse(value).get(parsed) != simdjson::SUCCESS) {
    if (group->secret.empty()) group->secret = SecretValueReason(value);
    return ValueKind::kText;
  }
  if (parsed.is_object()) {
    group->records.Add(parsed);
    return ValueKind::kObject;
  }
  if (parsed.is_array()) {
    simdjson::dom::array items(parsed);
    for (simdjson::dom::element item : items) {
      if (!item.is_object()) return ValueKind::kOtherArray;
    }
    for (simdjson::dom::element item : items) group->records.Add(item);
    return ValueKind::kArrayOfObjects;
  }
  if (parsed.is_string() && group->secret.empty()) {
    group->secret = SecretValueReason(std::string_view(parsed));
  }
  return ValueKind::kScalar;
}

void Fold(KeyGroup* into, KeyGroup&& from) {
  into->keys += from.keys;
  for (std::string& example : from.examples) {
    if (into->examples.size() < kMaxExamples) into->examples.push_back(std::move(example));
  }
  for (size_t i = 0; i < kValueKinds; ++i) into->kinds[i] += from.kinds[i];
  into->records.Merge(from.records);
  if (into->secret.empty()) into->secret = std::move(from.secret);
}

}  // namespace

std::string PrefixOf(const std::string& key) {
  size_t colon = key.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == key.size()) return std::string();
  return key.substr(0, colon + 1);
}

ValueKind KeyGroup::Kind() const {
  int kinds_seen = 0;
  size_t only = 0;
  for (size_t i = 0; i < kValueKinds; ++i) {
    if (kinds[i] > 0) {
      ++kinds_seen;
      only = i;
    }
  }
  return kinds_seen == 1 ? static_cast<ValueKind>(only) : ValueKind::kText;
}

Status KeyGroups::Add(const Entry& entry) {
  origins_[entry.origin]++;
  std::string prefix = PrefixOf(entry.key);
  std::string id = entry.origin + '\0' + (prefix.empty() ? "=" + entry.key : prefix);
  auto [it, fresh] = index_.emplace(std::move(id), groups_.size());
  if (fresh) {
    if (groups_.size() >= kMaxGroups) {
      return Status::InvalidArgument(fmt::format(
          "more than {} groups of keys (keys that share no pattern): write the mapping by hand, "
          "or give --origin",
          kMaxGroups));
    }
    KeyGroup group;
    group.origin = entry.origin;
    group.prefix = prefix;
    if (prefix.empty()) group.key = entry.key;
    group.secret = SecretNameReason(prefix.empty() ? entry.key : prefix);
    groups_.push_back(std::move(group));
  }
  KeyGroup& group = groups_[it->second];
  ++group.keys;
  if (group.examples.size() < kMaxExamples) group.examples.push_back(entry.key);
  ValueKind kind = Classify(entry.value, &parser_, &group);
  ++group.kinds[static_cast<size_t>(kind)];
  return Status::OK();
}

std::vector<KeyGroup> KeyGroups::Finish() {
  // Parents of prefix groups: "rnd:0:" -> "rnd:".
  std::map<std::string, std::vector<size_t>> children;
  for (size_t i = 0; i < groups_.size(); ++i) {
    const KeyGroup& group = groups_[i];
    if (group.prefix.empty()) continue;
    std::string parent = PrefixOf(group.prefix.substr(0, group.prefix.size() - 1));
    if (!parent.empty()) children[group.origin + '\0' + parent].push_back(i);
  }
  std::vector<bool> folded(groups_.size(), false);
  for (auto& [id, members] : children) {
    if (members.size() < static_cast<size_t>(kMinSiblings)) continue;
    std::string parent = id.substr(id.find('\0') + 1);
    auto [it, fresh] = index_.emplace(id, groups_.size());
    if (fresh) {
      KeyGroup group;
      group.origin = groups_[members.front()].origin;
      group.prefix = parent;
      group.secret = SecretNameReason(parent);
      groups_.push_back(std::move(group));
      folded.push_back(false);
    }
    for (size_t member : members) {
      Fold(&groups_[it->second], std::move(groups_[member]));
      folded[member] = true;
    }
  }
  std::vector<KeyGroup> prefixed;
  std::vector<KeyGroup> singles;
  for (size_t i = 0; i < groups_.size(); ++i) {
    if (folded[i]) continue;
    (groups_[i].prefix.empty() ? singles : prefixed).push_back(std::move(groups_[i]));
  }
  std::stable_sort(prefixed.begin(), prefixed.end(), [](const KeyGroup& a, const KeyGroup& b) {
    return a.prefix.size() > b.prefix.size();
  });
  for (KeyGroup& group : singles) prefixed.push_back(std::move(group));
  groups_.clear();
  index_.clear();
  return prefixed;
}

}  // namespace ferry::propose
