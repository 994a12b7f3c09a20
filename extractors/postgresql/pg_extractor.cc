#include "extractors/postgresql/pg_extractor.h"

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <pqxx/result>

#include "extractors/postgresql/pg_snapshot.h"
#include "extractors/sqlite/table_order.h"
#include "loaders/postgresql/sql_identifier.h"

namespace ferry {

namespace {

using postgresql_source::SourceSnapshot;
using sqlite_source::CatalogTable;

constexpr const char* kCursor = "ferry_rows";

// The row as JSON: row_to_json of the row itself, or, when a column is bytea (which
// row_to_json writes as "\\x0102"), of the row with each bytea column as lowercase hex, the
// form of SQLite's BLOB (docs/database-sources.md), its columns in the same order.
std::string RowJson(const CatalogTable& table) {
  bool bytea = false;
  std::string columns;
  for (const sqlite_source::CatalogColumn& column : table.columns) {
    std::string name = postgres::QuoteIdentifier(column.name);
    bool binary = column.declared_type == "bytea";
    bytea = bytea || binary;
    columns += (columns.empty() ? "" : ", ") +
               (binary ? fmt::format("encode(t.{0}, 'hex') AS {0}", name) : "t." + name);
  }
  if (!bytea) return "row_to_json(t)::text";
  return fmt::format("(SELECT row_to_json(r)::text FROM (SELECT {}) AS r)", columns);
}

std::string SelectRows(const SourceSnapshot& snapshot, const CatalogTable& table) {
  std::string order;
  for (const std::string& column : table.primary_key) {
    order += (order.empty() ? "t." : ", t.") + postgres::QuoteIdentifier(column);
  }
  return fmt::format("DECLARE {} NO SCROLL CURSOR FOR SELECT {} FROM {} AS t ORDER BY {}", kCursor,
                     RowJson(table), snapshot.Qualified(table.name),
                     order.empty() ? "t.ctid" : order);
}

class PostgresExtractor final : public Extractor {
 public:
  explicit PostgresExtractor(SourceSpec spec) : spec_(std::move(spec)) {}

  Status Open() override;
  bool Valid() const override { return valid_; }
  const Entry& entry() const override { return entry_; }
  void Next() override { Advance(); }
  Status status() const override { return status_; }
  SizeHint ExpectedSize() const override { return size_; }
  SourceUnits Units() const override;
  std::string ContentDigest() const override { return digest_; }

 private:
  void Advance();
  Status StartTable(size_t index);
  Status Fetch();  // the next batch of the current table's cursor into batch_
  std::string UnitName(const std::string& table) const {
    return snapshot_->display_name() + "#" + table;
  }

  SourceSpec spec_;
  std::unique_ptr<SourceSnapshot> snapshot_;
  std::vector<std::string> order_;
  size_t table_ = 0;
  pqxx::result batch_;
  pqxx::result::size_type in_batch_ = 0;
  bool cursor_open_ = false;
  int64_t row_index_ = 0;
  Entry entry_;
  SizeHint size_;
  std::string digest_;
  Status status_;
  bool valid_ = false;
};

Status PostgresExtractor::Open() {
  FERRY_ASSIGN_OR_RETURN(snapshot_, SourceSnapshot::Open(spec_.path));
  order_ = sqlite_source::ParentsFirst(snapshot_->catalog()).tables;
  size_.units = order_.size();
  // The digest (for resume's source fingerprint): each table's row count and a sum of a hash
  // of every row, in the snapshot the rows are read from, so any change to a row shows. It
  // keeps ParentsFirst's order, so that a run interrupted before LoadOrder resumes as before.
  std::map<std::string, int64_t> rows;
  FERRY_RETURN_IF_ERROR(snapshot_->Run("read its size", [this, &rows](pqxx::transaction_base& txn) {
    for (const std::string& table : order_) {
      pqxx::row row = txn.exec1(
          fmt::format("SELECT pg_total_relation_size({0}), count(*), coalesce(sum(('x' || "
                      "substr(md5(t::text), 1, 15))::bit(60)::bigint), 0) FROM {1} AS t",
                      txn.quote(snapshot_->Qualified(table)), snapshot_->Qualified(table)));
      size_.bytes += row[0].as<uint64_t>();
      rows[table] = row[1].as<int64_t>();
      digest_ += fmt::format("{}\t{}\t{}\n", table, row[1].c_str(), row[2].c_str());
    }
    return Status::OK();
  }));
  // Tables are read the heaviest chain first among those ready together (table_order.h).
  order_ = sqlite_source::LoadOrder(snapshot_->catalog(), rows).tables;
  if (order_.empty()) return Status::OK();
  FERRY_RETURN_IF_ERROR(StartTable(0));
  Advance();
  return status_;
}

SourceUnits PostgresExtractor::Units() const {
  SourceUnits units;
  for (const std::string& table : order_) {
    units.names.push_back(UnitName(table));
    units.user_hints.emplace_back();
  }
  return units;
}

Status PostgresExtractor::StartTable(size_t index) {
  table_ = index;
  row_index_ = 0;
  const CatalogTable* table = snapshot_->catalog().Find(order_[index]);
  FERRY_RETURN_IF_ERROR(
      snapshot_->Run("read table " + table->name, [&](pqxx::transaction_base& txn) {
        if (cursor_open_) txn.exec0(fmt::format("CLOSE {}", kCursor));
        cursor_open_ = false;
        txn.exec0(SelectRows(*snapshot_, *table));
        cursor_open_ = true;
        return Status::OK();
      }));
  batch_ = pqxx::result();
  in_batch_ = 0;
  entry_ = Entry{};
  entry_.unit = UnitName(table->name);
  entry_.key = table->name;
  entry_.shape = EntryShape::kRecord;
  entry_.where.file = snapshot_->display_name();
  entry_.where.key = table->name;
  return Status::OK();
}

Status PostgresExtractor::Fetch() {
  in_batch_ = 0;
  return snapshot_->Run("read table " + order_[table_], [this](pqxx::transaction_base& txn) {
    batch_ = txn.exec(fmt::format("FETCH {} FROM {}", kPostgresFetchRows, kCursor));
    return Status::OK();
  });
}

void PostgresExtractor::Advance() {
  valid_ = false;
  while (table_ < order_.size()) {
    if (in_batch_ >= batch_.size()) {
      status_ = Fetch();
      if (!status_.ok()) return;
    }
    if (in_batch_ < batch_.size()) {
      const pqxx::field value = batch_[in_batch_++][0];
      entry_.where.index = row_index_++;
      entry_.value.assign(value.c_str(), value.size());
      if (entry_.value.size() > spec_.max_value_bytes) {
        Report(entry_.where, ValueTooLarge(entry_.value.size(), spec_.max_value_bytes));
        continue;
      }
      valid_ = true;
      return;
    }
    if (table_ + 1 >= order_.size()) {  // the last table ended
      table_ = order_.size();
      batch_ = pqxx::result();
      return;
    }
    status_ = StartTable(table_ + 1);
    if (!status_.ok()) return;
  }
}

}  // namespace

std::unique_ptr<Extractor> MakePostgresExtractor(const SourceSpec& spec) {
  return std::make_unique<PostgresExtractor>(spec);
}

bool DetectPostgres(const std::string&) { return false; }

}  // namespace ferry
