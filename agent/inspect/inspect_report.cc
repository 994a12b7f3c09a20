#include "agent/inspect/inspect_report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "base/private_file.h"
#include "extractors/common/json_exact.h"

namespace ferry {

namespace {
// An origin's --json keys held in memory before they go to the report's temporary file.
constexpr size_t kKeysJsonMemoryBytes = 64 << 10;
}  // namespace

KeysJsonSpill::~KeysJsonSpill() {
  if (fd_ >= 0) ::close(fd_);
}

bool KeysJsonSpill::Append(std::string_view text, uint64_t* offset) {
  if (fd_ < 0) {
    fd_ = OpenUnnamedFile("");
    if (fd_ < 0) return false;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t put =
        ::pwrite(fd_, text.data() + done, text.size() - done, static_cast<off_t>(end_ + done));
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;  // what was written past end_ is written over next time
    done += static_cast<size_t>(put);
  }
  *offset = end_;
  end_ += text.size();
  return true;
}

Status KeysJsonSpill::CopyTo(uint64_t offset, uint64_t size, std::ostream& out) const {
  std::string buffer(static_cast<size_t>(std::min<uint64_t>(size, 1 << 20)), '\0');
  while (size > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size, buffer.size()));
    ssize_t got = ::pread(fd_, buffer.data(), want, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return Status::IOError(
          fmt::format("could not read back the temporary file of inspect --json's keys: {}",
                      std::strerror(got < 0 ? errno : EIO)));
    }
    out.write(buffer.data(), got);
    offset += static_cast<uint64_t>(got);
    size -= static_cast<uint64_t>(got);
  }
  return Status::OK();
}

OriginFacts& InspectReport::Origin(const std::string& source, const std::string& unit,
                                   const std::string& origin_json) {
  if (!origins.empty()) {
    const OriginFacts& last = origins.back();
    if (last.origin_json == origin_json && last.unit == unit && last.source == source) {
      return origins.back();
    }
  }
  std::string id = source + '\0' + unit + '\0' + origin_json;
  auto [it, fresh] = origin_index_.try_emplace(id, origins.size());
  if (fresh) {
    origins.emplace_back();
    origins.back().source = source;
    origins.back().unit = unit;
    origins.back().origin_json = origin_json;
    origins.back().spill = keys_spill.get();
  }
  return origins[it->second];
}

void OriginFacts::AddKey(KeyFacts key, bool as_json) {
  ++key_count;
  if (as_json) {
    auto append_string = [this](const std::string& text) {
      keys_json.push_back('"');
      AppendJsonBody(text, &keys_json);
      keys_json.push_back('"');
    };
    keys_json += key_count > 1 ? ",{\"key\":\"" : "{\"key\":\"";
    keys_json += key.key_json;
    fmt::format_to(std::back_inserter(keys_json), "\",\"value_bytes\":{}", key.value_bytes);
    if (!key.entity.empty()) {
      keys_json += ",\"entity\":";
      append_string(key.entity);
      fmt::format_to(std::back_inserter(keys_json), ",\"json\":{},\"records\":{},\"valid\":{}",
                     key.json ? "true" : "false", key.records, key.valid);
    }
    if (!key.lossy_detail.empty()) {
      keys_json += ",\"lossy\":";
      append_string(key.lossy_detail);
    }
    keys_json += '}';
    uint64_t offset = 0;
    if (spill != nullptr && keys_json.size() >= kKeysJsonMemoryBytes &&
        spill->Append(keys_json, &offset)) {
      keys_json_spilled.emplace_back(offset, keys_json.size());
      keys_json.clear();
    }
  }
  if (keys.size() < kMaxKeysPrinted) keys.push_back(std::move(key));
}

void InspectReport::AddProblem(const std::string& text) {
  ++problems;
  if (problem_list.size() < kMaxProblemsListed) problem_list.push_back(text);
}

}  // namespace ferry
