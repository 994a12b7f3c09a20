// The operations of a LevelDB write batch: the record format of a .log file
// (chromium_format.h, "write batch").
//
// Thread safety: free functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "base/status.h"

namespace ferry::chromium {

struct BatchOperation {
  uint64_t sequence = 0;   // the batch's sequence plus the operation's index
  bool deletion = false;   // a delete: `value` is empty
  std::string_view key;    // points into the batch
  std::string_view value;  // points into the batch
};

// Passes each operation of `batch` to `visit`, in order. Fails Corruption (message without a
// place) when the batch is malformed or holds another count of operations than its header
// says; the operations before the problem were passed.
Status ForEachBatchOperation(std::string_view batch,
                             const std::function<void(const BatchOperation&)>& visit);

}  // namespace ferry::chromium
