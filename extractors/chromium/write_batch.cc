#include "extractors/chromium/write_batch.h"

#include <fmt/format.h>

#include "extractors/chromium/chromium_format.h"
#include "extractors/chromium/coding.h"

namespace ferry::chromium {

Status ForEachBatchOperation(std::string_view batch,
                             const std::function<void(const BatchOperation&)>& visit) {
  ByteReader reader(batch);
  uint64_t sequence = 0;
  uint32_t count = 0;
  if (!reader.GetFixed64(&sequence) || !reader.GetFixed32(&count)) {
    return Status::Corruption(
        fmt::format("write batch of {} bytes is shorter than its {}-byte header", batch.size(),
                    kWriteBatchHeaderSize));
  }
  uint32_t found = 0;
  while (!reader.empty()) {
    BatchOperation operation;
    operation.sequence = sequence + found;
    uint8_t type = 0;
    reader.GetByte(&type);
    if (type != kTypeValue && type != kTypeDeletion) {
      return Status::Corruption(
          fmt::format("write batch operation {} has unknown type {}", found, type));
    }
    operation.deletion = type == kTypeDeletion;
    if (!reader.GetLengthPrefixed(&operation.key) ||
        (!operation.deletion && !reader.GetLengthPrefixed(&operation.value))) {
      return Status::Corruption(
          fmt::format("write batch operation {} is cut short or its length is wrong", found));
    }
    visit(operation);
    ++found;
  }
  if (found != count) {
    return Status::Corruption(
        fmt::format("write batch header says {} operations, the batch holds {}", count, found));
  }
  return Status::OK();
}

}  // namespace ferry::chromium
