// Transaction: one SQLite transaction, rolled back unless committed.
//
// Thread safety: used by the thread that owns the connection.
#pragma once

#include <sqlite3.h>

#include <string_view>

#include "base/status.h"

namespace ferry::sqlite {

class Transaction {
 public:
  enum class Mode {
    kDeferred,   // a read: takes no lock until the first read
    kImmediate,  // a write: takes the write lock now, so no upgrade can fail half-way
  };

  explicit Transaction(sqlite3* db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back when Begin() succeeded and Commit() did not.
  ~Transaction();

  Status Begin(Mode mode, std::string_view context);
  // REQUIRES: Begin() succeeded. On failure the destructor still rolls back.
  Status Commit(std::string_view context);

 private:
  sqlite3* db_;
  bool open_ = false;
};

}  // namespace ferry::sqlite
