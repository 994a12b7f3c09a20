#include "extractors/firefox/sqlite_db.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "extractors/common/file_reader.h"
#include "extractors/common/scoped_fd.h"
#include "extractors/firefox/firefox_format.h"

namespace ferry::firefox {

namespace {

constexpr uint32_t kMinPageSize = 512;
constexpr uint32_t kMaxPageSize = 65536;

uint32_t BigEndian(const unsigned char* p, size_t bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes; ++i) {
    value = (value << 8) | p[i];
  }
  return value;
}

bool IsDamage(int code) {
  int primary = code & 0xFF;
  // SQLITE_INTERRUPT: the work bound was reached (a hostile view or trigger): damage too.
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_FORMAT ||
         primary == SQLITE_ERROR || primary == SQLITE_MISMATCH || primary == SQLITE_RANGE ||
         primary == SQLITE_INTERRUPT;
}

// The progress handler runs every this many SQLite VM steps.
constexpr int kStepsPerCheck = 10000;
// The steps a store may take: a floor, plus this many per byte of the copy. Reading and
// sorting a real store takes a small fraction; a recursive or endless view never ends.
constexpr uint64_t kStepFloor = 200'000'000;
constexpr uint64_t kStepsPerByte = 2000;

int OnProgress(void* budget) {
  auto* checks_left = static_cast<uint64_t*>(budget);
  if (*checks_left == 0) {
    return 1;  // interrupts the statement
  }
  --*checks_left;
  return 0;
}

}  // namespace

Status CheckDatabaseFile(const std::string& path, const std::string& shown_path,
                         std::string* truncation) {
  truncation->clear();
  ScopedFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat info;
  if (file.get() < 0 || ::fstat(file.get(), &info) != 0) {
    return FileError(shown_path, "open", errno);
  }
  auto size = static_cast<uint64_t>(info.st_size);
  if (size == 0) {
    return Status::Corruption(fmt::format(
        "{}: zero-length file, holds no database (a browser stopped while creating it?)",
        shown_path));
  }
  unsigned char header[kSqliteHeaderSize];
  ssize_t got = ::pread(file.get(), header, sizeof header, 0);
  if (got < static_cast<ssize_t>(sizeof header) ||
      std::memcmp(header, kSqliteMagic.data(), kSqliteMagic.size()) != 0) {
    return Status::Corruption(
        fmt::format("{}: not an SQLite database (no \"SQLite format 3\" header in its {} bytes)",
                    shown_path, size));
  }
  uint32_t page_size = BigEndian(header + kPageSizeOffset, 2);
  page_size = page_size == 1 ? kMaxPageSize : page_size;
  if (page_size < kMinPageSize || page_size > kMaxPageSize || (page_size & (page_size - 1)) != 0) {
    return Status::Corruption(
        fmt::format("{}: damaged SQLite header (page size {})", shown_path, page_size));
  }
  uint32_t pages = BigEndian(header + kPageCountOffset, 4);
  bool count_valid = pages > 0 && BigEndian(header + kChangeCounterOffset, 4) ==
                                      BigEndian(header + kVersionValidOffset, 4);
  uint64_t expected = static_cast<uint64_t>(pages) * page_size;
  if (count_valid && expected > size) {
    *truncation = fmt::format(
        "{}: truncated: its header says {} pages of {} bytes ({} bytes), the file holds {}; rows "
        "on the missing pages are lost",
        shown_path, pages, page_size, expected, size);
  }
  return Status::OK();
}

Result<std::unique_ptr<CopiedDatabase>> CopiedDatabase::Open(const std::string& original) {
  std::filesystem::path path(original);
  std::string name = path.filename().string();
  std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
  auto include = [&name](const std::string& file) {
    return file == name || file == name + std::string(kWalSuffix) ||
           file == name + std::string(kJournalSuffix);
  };
  std::unique_ptr<CopiedDatabase> db(new CopiedDatabase(original));
  FERRY_ASSIGN_OR_RETURN(db->copy_, StoreCopy::Make(dir, "firefox", include));
  std::string copy = db->copy_->path() + "/" + name;
  struct stat info;
  if (::lstat(copy.c_str(), &info) != 0) {
    for (const Status& refused : db->copy_->refused()) {
      if (refused.message().rfind(original + ":", 0) == 0) {
        return refused;  // a link, FIFO or device: damage, not read
      }
    }
    return Status::NotFound(
        fmt::format("{}: not a regular file, or it vanished while it was copied", original));
  }
  // A -wal or -journal that is a link, FIFO or device is left out: said like a truncation,
  // since rows it held are lost in the same way.
  std::string left_out;
  for (const Status& refused : db->copy_->refused()) {
    left_out += (left_out.empty() ? "" : "; ") + std::string(refused.message());
  }
  // Everything may still be in the -wal of a store that was never checkpointed.
  struct stat wal;
  bool has_wal = ::stat((copy + std::string(kWalSuffix)).c_str(), &wal) == 0 && wal.st_size > 0;
  if (!(has_wal && info.st_size == 0)) {
    FERRY_RETURN_IF_ERROR(CheckDatabaseFile(copy, original, &db->truncation_));
  }
  if (!left_out.empty()) {
    db->truncation_ += (db->truncation_.empty() ? "" : "; ") + left_out;
  }
  int code = sqlite3_open_v2(copy.c_str(), &db->db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE,
                             nullptr);
  if (code != SQLITE_OK) {
    return db->Error(code, "open");
  }
  // The database is hostile until shown otherwise: no SQL functions with side effects from
  // its schema (views, triggers), and a bound on the work it can cause (docs/security.md).
  sqlite3_db_config(db->db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  db->checks_left_ = (kStepFloor + kStepsPerByte * db->copy_->bytes()) / kStepsPerCheck;
  sqlite3_progress_handler(db->db_, kStepsPerCheck, &OnProgress, &db->checks_left_);
  if (!db->truncation_.empty()) {
    // SQLite refuses a file shorter than its header says; this lets it read what is there.
    // (Defensive mode would undo it, so a truncated file goes without.)
    sqlite3_exec(db->db_, "PRAGMA writable_schema = ON", nullptr, nullptr, nullptr);
  } else {
    sqlite3_db_config(db->db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  }
  // The first read replays a -wal or rolls back a hot journal, into the copy.
  FERRY_ASSIGN_OR_RETURN(Statement encoding, db->Prepare("PRAGMA encoding"));
  code = sqlite3_step(encoding.get());
  if (code != SQLITE_ROW) {
    return db->Error(code, "read its text encoding");
  }
  std::string_view name_of_encoding(
      reinterpret_cast<const char*>(sqlite3_column_text(encoding.get(), 0)));
  if (name_of_encoding == "UTF-16be") {
    return Status::Corruption(
        fmt::format("{}: stores text as UTF-16be, which Firefox does not write", original));
  }
  db->utf16le_ = name_of_encoding == "UTF-16le";
  code = sqlite3_exec(db->db_, "PRAGMA query_only = ON", nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) {
    return db->Error(code, "make the copy query-only");
  }
  return db;
}

CopiedDatabase::~CopiedDatabase() {
  if (db_ != nullptr) {
    sqlite3_close_v2(db_);
  }
}

Status CopiedDatabase::RequireTable(std::string_view table,
                                    const std::vector<std::string_view>& columns) const {
  FERRY_ASSIGN_OR_RETURN(Statement kind,
                         Prepare("SELECT type FROM sqlite_master WHERE name = ?1 COLLATE NOCASE"));
  sqlite3_bind_text(kind.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_STATIC);
  int code = sqlite3_step(kind.get());
  if (code != SQLITE_ROW && code != SQLITE_DONE) {
    return Error(code, fmt::format("find its {} table", table));
  }
  const unsigned char* type = code == SQLITE_ROW ? sqlite3_column_text(kind.get(), 0) : nullptr;
  if (type == nullptr) {
    return Status::Corruption(fmt::format("{}: no \"{}\" table; not read", original_, table));
  }
  if (std::string_view(reinterpret_cast<const char*>(type)) != "table") {
    return Status::Corruption(fmt::format("{}: \"{}\" is a {}, not a plain table; not read",
                                          original_, table, reinterpret_cast<const char*>(type)));
  }
  FERRY_ASSIGN_OR_RETURN(Statement info, Prepare("SELECT name FROM pragma_table_info(?1)"));
  sqlite3_bind_text(info.get(), 1, table.data(), static_cast<int>(table.size()), SQLITE_STATIC);
  std::vector<std::string> present;
  while ((code = sqlite3_step(info.get())) == SQLITE_ROW) {
    present.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 0)));
  }
  for (std::string_view column : columns) {
    if (std::find(present.begin(), present.end(), column) == present.end()) {
      return Status::Corruption(
          fmt::format("{}: its {} table has no {} column; not read", original_, table, column));
    }
  }
  return Status::OK();
}

Result<Statement> CopiedDatabase::Prepare(std::string_view sql) const {
  sqlite3_stmt* raw = nullptr;
  int code = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Statement statement(raw);
  if (code != SQLITE_OK) {
    return Error(code, fmt::format("prepare \"{}\"", sql));
  }
  return statement;
}

Status CopiedDatabase::Error(int code, std::string_view doing) const {
  const char* detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  std::string message = fmt::format("{}: cannot {}: {}", original_, doing, detail);
  return IsDamage(code) ? Status::Corruption(message) : Status::IOError(message);
}

}  // namespace ferry::firefox
