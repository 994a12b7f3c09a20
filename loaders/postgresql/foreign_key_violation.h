// A foreign key violation (SQLSTATE 23503) traced back to the rows of a batch that broke it.
// The server fails the whole COPY or upsert and names the key and one missing value
// ("Key (status)=(in-progress) is not present in table \"app_statuses\""); the rows of the
// batch holding that value are the records to reject (loaders/loader.h RowReject), and the
// rest of the batch is written again without them (batch_writer.h).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loaders/loader.h"

namespace ferry::postgres {

struct ForeignKeyViolation {
  std::string constraint;            // its name, as the server gives it
  std::string parent;                // the referenced table
  std::vector<std::string> columns;  // the referencing columns, as the server spells them
  std::vector<std::string> values;   // their values in the failed row, as text
};

// Parses the server's message of a 23503 error; nullopt when its form is not recognised.
std::optional<ForeignKeyViolation> ParseForeignKeyViolation(std::string_view message);

// The indexes of the rows of `batch` (kept rows aside) whose cells equal the violation's
// values, with the reject reason naming the key; empty when no row can be singled out.
std::vector<RowReject> RowsBreaking(const WriteBatch& batch, const ForeignKeyViolation& violation);

}  // namespace ferry::postgres
