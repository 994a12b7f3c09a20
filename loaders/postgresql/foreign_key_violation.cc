#include "loaders/postgresql/foreign_key_violation.h"

#include "loaders/postgresql/copy_text.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry::postgres {

namespace {

// The text between `open` (after `from`) and the next `close`; nullopt when absent.
std::optional<std::string> Between(std::string_view text, std::string_view open,
                                   std::string_view close, size_t* from) {
  size_t start = text.find(open, *from);
  if (start == std::string_view::npos) return std::nullopt;
  start += open.size();
  size_t end = text.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  *from = end + close.size();
  return std::string(text.substr(start, end - start));
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = list.find(", ", start);
    parts.push_back(list.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 2;
  }
}

// A column as the server names it in "Key (…)": quoted only when it must be.
std::string Unquoted(const std::string& name) {
  if (name.size() < 2 || name.front() != '"' || name.back() != '"') return name;
  std::string out;
  for (size_t i = 1; i + 1 < name.size(); ++i) {
    out += name[i];
    if (name[i] == '"') ++i;
  }
  return out;
}

int ColumnIndex(const TableDef& table, const std::string& name) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::optional<ForeignKeyViolation> ParseForeignKeyViolation(std::string_view message) {
  ForeignKeyViolation violation;
  size_t at = 0;
  std::optional<std::string> constraint =
      Between(message, "violates foreign key constraint \"", "\"", &at);
  std::optional<std::string> columns = Between(message, "Key (", ")=(", &at);
  if (!constraint || !columns) return std::nullopt;
  std::optional<std::string> values = Between(message, "", ") is not present in table \"", &at);
  std::optional<std::string> parent = Between(message, "", "\"", &at);
  if (!values || !parent) return std::nullopt;
  violation.constraint = *constraint;
  violation.parent = *parent;
  for (const std::string& column : SplitList(*columns))
    violation.columns.push_back(Unquoted(column));
  violation.values = SplitList(*values);
  // A value holding ", " makes the split ambiguous: not recognised.
  if (violation.values.size() != violation.columns.size()) return std::nullopt;
  return violation;
}

std::vector<RowReject> RowsBreaking(const WriteBatch& batch, const ForeignKeyViolation& violation) {
  const TableDef& table = *batch.table;
  std::vector<int> columns;
  std::string names;
  for (const std::string& column : violation.columns) {
    columns.push_back(ColumnIndex(table, column));
    if (columns.back() < 0) return {};
    names += (names.empty() ? "" : ", ") + QuoteIdentifier(column);
  }
  std::string reason = "breaks the target's foreign key \"" + violation.constraint + "\" (" +
                       names + ") REFERENCES " + QuoteIdentifier(violation.parent) + ": " +
                       QuoteIdentifier(violation.parent) +
                       " holds no row with the record's values (the application deleted it, or "
                       "never had it); nothing of the record was written";
  std::vector<RowReject> rows;
  for (size_t row = 0; row < batch.rows.size(); ++row) {
    if (batch.identities[row].keep_row) continue;
    bool equal = true;
    for (size_t i = 0; i < columns.size() && equal; ++i) {
      Result<std::optional<std::string>> text =
          CellText(table.columns[columns[i]], batch.rows[row].cells[columns[i]]);
      equal = text.ok() && text->has_value() && **text == violation.values[i];
    }
    if (equal) rows.push_back({row, reason});
  }
  return rows;
}

}  // namespace ferry::postgres
