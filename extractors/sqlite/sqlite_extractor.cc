#include "extractors/sqlite/sqlite_extractor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "extractors/common/scoped_fd.h"
#include "extractors/firefox/sqlite_db.h"
#include "extractors/sqlite/catalog.h"
#include "extractors/sqlite/row_json.h"
#include "extractors/sqlite/table_order.h"

namespace ferry {

namespace {

using firefox::CopiedDatabase;
using firefox::Statement;
using sqlite_source::Catalog;
using sqlite_source::CatalogTable;
using sqlite_source::QuoteIdentifier;

// "SELECT * FROM t ORDER BY <primary key>" (or rowid): a stable order of the rows.
std::string SelectRows(const CatalogTable& table) {
  std::string order;
  for (const std::string& column : table.primary_key) {
    order += (order.empty() ? "" : ", ") + QuoteIdentifier(column);
  }
  if (order.empty()) {
    order = "rowid";
  }
  return fmt::format("SELECT * FROM {} ORDER BY {}", QuoteIdentifier(table.name), order);
}

// About how many rows each table holds, for the load order (table_order.h): its largest rowid,
// which SQLite finds at the end of the table's b-tree without a scan. A table without a rowid,
// or one SQLite cannot read here (reading its rows will say why), counts 0.
std::map<std::string, int64_t> RowEstimates(const CopiedDatabase& db, const Catalog& catalog) {
  std::map<std::string, int64_t> rows;
  for (const CatalogTable& table : catalog.tables) {
    if (table.without_rowid) {
      continue;
    }
    Result<Statement> last =
        db.Prepare(fmt::format("SELECT max(rowid) FROM {}", QuoteIdentifier(table.name)));
    if (last.ok() && sqlite3_step(last->get()) == SQLITE_ROW) {
      rows[table.name] = sqlite3_column_int64(last->get(), 0);
    }
  }
  return rows;
}

class SqliteExtractor final : public Extractor {
 public:
  explicit SqliteExtractor(SourceSpec spec) : spec_(std::move(spec)) {}

  Status Open() override;
  bool Valid() const override { return valid_; }
  const Entry& entry() const override { return entry_; }
  void Next() override { Advance(); }
  Status status() const override { return status_; }
  SizeHint ExpectedSize() const override { return size_; }
  SourceUnits Units() const override;

 private:
  // Moves to the next row, starting the next table when one ends.
  void Advance();
  Status StartTable(size_t index);

  SourceSpec spec_;
  std::unique_ptr<CopiedDatabase> db_;
  Catalog catalog_;
  std::vector<std::string> order_;  // table names, parents first
  size_t table_ = 0;                // index in order_ of the table being read
  Statement rows_;
  int64_t row_index_ = 0;
  Entry entry_;
  SizeHint size_;
  Status status_;
  bool valid_ = false;
};

std::string UnitName(const std::string& path, const std::string& table) {
  return fmt::format("{}#{}", path, table);
}

Status SqliteExtractor::Open() {
  FERRY_ASSIGN_OR_RETURN(db_, CopiedDatabase::Open(spec_.path));
  if (!db_->truncation().empty()) {
    return Status::Corruption(db_->truncation());
  }
  FERRY_ASSIGN_OR_RETURN(catalog_, sqlite_source::ReadCatalog(*db_));
  order_ = sqlite_source::LoadOrder(catalog_, RowEstimates(*db_, catalog_)).tables;
  size_.bytes = db_->copied_bytes();
  size_.units = order_.size();
  table_ = 0;
  if (order_.empty()) {
    return Status::OK();
  }
  FERRY_RETURN_IF_ERROR(StartTable(0));
  Advance();
  return status_;
}

SourceUnits SqliteExtractor::Units() const {
  SourceUnits units;
  for (const std::string& table : order_) {
    units.names.push_back(UnitName(spec_.path, table));
    units.user_hints.emplace_back();
  }
  return units;
}

Status SqliteExtractor::StartTable(size_t index) {
  table_ = index;
  row_index_ = 0;
  const CatalogTable* table = catalog_.Find(order_[index]);
  FERRY_ASSIGN_OR_RETURN(rows_, db_->Prepare(SelectRows(*table)));
  entry_ = Entry{};
  entry_.unit = UnitName(spec_.path, table->name);
  entry_.key = table->name;
  entry_.shape = EntryShape::kRecord;
  entry_.where.file = spec_.path;
  entry_.where.key = table->name;
  return Status::OK();
}

void SqliteExtractor::Advance() {
  valid_ = false;
  while (table_ < order_.size()) {
    int code = sqlite3_step(rows_.get());
    if (code == SQLITE_ROW) {
      entry_.where.index = row_index_++;
      Status row = sqlite_source::RowToJson(rows_.get(), &entry_.value);
      if (!row.ok()) {
        Report(entry_.where, row);
        continue;
      }
      if (entry_.value.size() > spec_.max_value_bytes) {
        Report(entry_.where, ValueTooLarge(entry_.value.size(), spec_.max_value_bytes));
        continue;
      }
      valid_ = true;
      return;
    }
    if (code != SQLITE_DONE) {
      status_ = db_->Error(code, fmt::format("read table {}", order_[table_]));
      return;
    }
    if (table_ + 1 >= order_.size()) {
      table_ = order_.size();
      rows_.reset();
      return;
    }
    status_ = StartTable(table_ + 1);
    if (!status_.ok()) {
      return;
    }
  }
}

}  // namespace

std::unique_ptr<Extractor> MakeSqliteExtractor(const SourceSpec& spec) {
  return std::make_unique<SqliteExtractor>(spec);
}

bool DetectSqlite(const std::string& path) {
  static constexpr char kMagic[] = "SQLite format 3";  // with its NUL: 16 bytes
  ScopedFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat info;
  if (file.get() < 0 || ::fstat(file.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return false;
  }
  char header[sizeof kMagic];
  return ::pread(file.get(), header, sizeof header, 0) == static_cast<ssize_t>(sizeof header) &&
         std::memcmp(header, kMagic, sizeof header) == 0;
}

}  // namespace ferry
