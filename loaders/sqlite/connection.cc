#include "loaders/sqlite/connection.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "base/private_file.h"
#include "base/quoted.h"

namespace ferry::sqlite {

namespace {

constexpr const char* kInMemory = ":memory:";

Status CheckPath(const std::string& path) {
  if (path.empty()) {
    return Status::InvalidArgument("the SQLite target names no file (expected sqlite:PATH)");
  }
  if (path.find('\0') != std::string::npos) {
    return Status::InvalidArgument("the SQLite target's path holds a NUL byte");
  }
  return Status::OK();
}

bool Exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

// Why SQLite cannot write `path`'s folder: it is missing, not a folder or not writable; ""
// when none of these is the cause. SQLite creates its journal (or -wal and -shm) beside the
// file, so the folder must be writable, not only the file.
std::string UnwritableFolderReason(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  if (!fs::exists(folder, error))
    return "the folder " + Quoted(folder.string()) + " does not exist";
  if (!fs::is_directory(folder, error)) return Quoted(folder.string()) + " is not a folder";
  if (::access(folder.c_str(), W_OK | X_OK) != 0) {
    return "the folder " + Quoted(folder.string()) + " is not writable (" + std::strerror(errno) +
           "), and SQLite creates its journal there, beside the file";
  }
  return "";
}

// Why the file system will not let SQLite open or write `path`: its folder (above), the path
// is a folder, or the file is not readable and writable; "" when none of these is the cause.
std::string OpenFailureReason(const std::string& path) {
  std::error_code error;
  std::string folder = UnwritableFolderReason(path);
  if (!folder.empty()) return folder;
  if (std::filesystem::is_directory(path, error)) return "it is a folder";
  if (std::filesystem::exists(path, error) && ::access(path.c_str(), R_OK | W_OK) != 0) {
    return "the file is not readable and writable (" + std::string(std::strerror(errno)) + ")";
  }
  return "";
}

// Whether writing needs SQLite to create a file beside the database: every journal mode but
// MEMORY and OFF. (WAL needs -wal and -shm; an open already failed without them.)
bool NeedsJournalFile(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &raw, nullptr) != SQLITE_OK) return true;
  Statement stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return true;
  const unsigned char* mode = sqlite3_column_text(stmt.get(), 0);
  std::string name = mode == nullptr ? "" : reinterpret_cast<const char*>(mode);
  return name != "memory" && name != "off";
}

// Whether `db`'s main database is in WAL mode.
bool InWalMode(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &raw, nullptr) != SQLITE_OK) return false;
  Statement stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return false;
  const unsigned char* mode = sqlite3_column_text(stmt.get(), 0);
  return mode != nullptr && std::string(reinterpret_cast<const char*>(mode)) == "wal";
}

// Opens with `flags` (plus URI); the name is a URI so that no path is ever taken for one.
// `probe_rc`, when given, receives the result code of the first read (SQLITE_OK when it
// succeeded).
Result<Database> Open(const std::string& path, const std::string& query, int flags,
                      int busy_timeout_ms, int* probe_rc = nullptr) {
  std::string name = path == kInMemory ? path : FileUri(path, query);
  sqlite3* raw = nullptr;
  // NOMUTEX: a connection is used by one thread at a time, so SQLite's own per-call mutex
  // is pure cost.
  int rc =
      sqlite3_open_v2(name.c_str(), &raw, flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(rc, db.get(), "cannot open SQLite target " + Quoted(path));
    std::string reason = (rc & 0xff) == SQLITE_CANTOPEN ? OpenFailureReason(path) : "";
    // A target where none can be: the --target to fix, found before anything is written.
    return reason.empty() ? status : Status::InvalidArgument(status.message() + ": " + reason);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  SetBusyTimeout(db.get(), busy_timeout_ms);
  // Reading the schema is where SQLite notices a file that is not a database, a hot journal,
  // and a WAL file whose -shm it cannot create.
  rc = sqlite3_exec(db.get(), "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (probe_rc != nullptr) *probe_rc = rc;
  if (rc != SQLITE_OK) {
    Status status = SqliteError(rc, db.get(), Quoted(path));
    int primary = rc & 0xff;
    std::string reason =
        primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN ? OpenFailureReason(path) : "";
    return reason.empty() ? status : Status::InvalidArgument(status.message() + ": " + reason);
  }
  return db;
}

// Rolls back the hot journal beside `path` (a writer died in a transaction) by opening the
// file read-write, as SQLite does for any connection that may write. Refuses, naming the
// journal, when the file or its folder is not writable.
Status RollBackHotJournal(const std::string& path, int busy_timeout_ms) {
  std::string journal = Quoted(path + "-journal");
  std::string why = OpenFailureReason(path);
  if (!why.empty()) {
    return Status::IOError("SQLite target " + Quoted(path) + " has a hot journal " + journal +
                           " (a program stopped while writing the file), and a read-only open "
                           "cannot roll it back; " +
                           why +
                           ". Open it once as a user who may write it (ferry migrate, or the "
                           "application) to roll it back, then retry");
  }
  FERRY_ASSIGN_OR_RETURN(Database db, Open(path, "", SQLITE_OPEN_READWRITE, busy_timeout_ms));
  spdlog::warn(
      "rolled back the hot journal {} (a program stopped while writing {}), as the next program "
      "to open the file for writing would: the file is at its last commit",
      journal, Quoted(path));
  return Status::OK();
}

}  // namespace

std::string FileUri(const std::string& path, const std::string& query) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file:";
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_' || c == '~' || c == '/';
    // "file://" would start an authority: escape a leading "//".
    if (i == 0 && c == '/' && path.size() > 1 && path[1] == '/') {
      plain = false;
    }
    if (plain) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += kHex[c >> 4];
      uri += kHex[c & 0xF];
    }
  }
  if (!query.empty()) {
    uri += '?';
    uri += query;
  }
  return uri;
}

// True when `path` holds a database already (a file with content): the application's, maybe.
bool HoldsDatabase(const std::string& path) {
  std::error_code error;
  return path != kInMemory && std::filesystem::file_size(path, error) > 0 && !error;
}

Result<Database> OpenForWriting(const std::string& path, int busy_timeout_ms) {
  FERRY_RETURN_IF_ERROR(CheckPath(path));
  bool existing = HoldsDatabase(path);
  if (path != kInMemory) {
    // A new target is made 0600 (SQLite would make it 0644 less umask); its -wal and -shm
    // take the database's mode (docs/security.md).
    CreatePrivateFileIfMissing(path);
  }
  FERRY_ASSIGN_OR_RETURN(
      Database db, Open(path, "", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_timeout_ms));
  // SQLite silently falls back to read-only when the OS refuses writing.
  if (sqlite3_db_readonly(db.get(), "main") == 1) {
    std::string why = OpenFailureReason(path);
    return Status::IOError("SQLite target " + Quoted(path) + " is read-only" +
                           (why.empty() ? "" : ": " + why));
  }
  // A file that can be written in a folder that cannot: the first write would fail when
  // SQLite creates its journal, with words that name neither the folder nor the cause.
  if (path != kInMemory) {
    std::string folder = UnwritableFolderReason(path);
    if (!folder.empty() && NeedsJournalFile(db.get())) {
      return Status::InvalidArgument("cannot write SQLite target " + Quoted(path) + ": " + folder);
    }
  }
  // WAL only for a file ferry creates: WAL is a lasting property of the file, and a database
  // the application made keeps the journal mode the application chose (its readers may not
  // be able to open a WAL file read-only). Where WAL is impossible (no shared memory) SQLite
  // keeps its rollback journal, which is as durable with synchronous=FULL, so the answer is
  // not checked.
  if (!existing) {
    FERRY_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA journal_mode=WAL", Quoted(path)));
  }
  // The application's foreign keys hold for ferry's writes as for its own (SQLite leaves them
  // off per connection unless asked); a row breaking one is a reject (batch_writer.h).
  FERRY_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA foreign_keys=ON", Quoted(path)));
  FERRY_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA synchronous=FULL", Quoted(path)));
  // 32 MiB of page cache (default 2 MiB) keeps the key indexes of a large load in memory.
  FERRY_RETURN_IF_ERROR(Exec(db.get(), "PRAGMA cache_size=-32768", Quoted(path)));
  return db;
}

Status SetRunDurability(sqlite3* db, bool during_run) {
  bool normal = during_run && InWalMode(db);
  // A run commits per user and batch, and each commit appends every page it dirtied to the
  // WAL: a user's tasks touch most leaf pages of the ULID key's index (ULIDs are spread over
  // the whole key range), so the WAL reaches SQLite's default of 1000 pages every few commits,
  // and each checkpoint then copied pages the next commits dirtied again (a fifth of a first
  // load's CPU at 200k tasks). 16384 pages (64 MiB at 4 KiB) checkpoints a page once per many
  // commits; the run's end sets the default again, so its commit folds the WAL into the file.
  FERRY_RETURN_IF_ERROR(
      Exec(db, normal ? "PRAGMA wal_autocheckpoint=16384" : "PRAGMA wal_autocheckpoint=1000",
           "setting wal_autocheckpoint"));
  return Exec(db, normal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
              "setting synchronous");
}

Result<Database> OpenForDryRun(const std::string& path, int busy_timeout_ms) {
  FERRY_RETURN_IF_ERROR(CheckPath(path));
  if (path == kInMemory || !Exists(path)) {
    return Database();
  }
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return Status::IOError("SQLite target " + Quoted(path) + " is a directory");
  }
  // With no -wal or -journal beside it no connection is writing the file, so it can be read
  // as immutable: SQLite then creates no -wal/-shm files of its own. Otherwise those files
  // already exist and a plain read-only open shares them (and sees the live writer's data).
  bool in_use = Exists(path + "-wal") || Exists(path + "-journal");
  int probe_rc = SQLITE_OK;
  Result<Database> db =
      Open(path, in_use ? "" : "immutable=1", SQLITE_OPEN_READONLY, busy_timeout_ms, &probe_rc);
  if (probe_rc != SQLITE_READONLY_ROLLBACK) {
    return db;
  }
  // A hot journal: the file may hold half a transaction, which only a connection that may
  // write can undo. Rolling it back is what the application (or `ferry migrate`) does when
  // it next opens the file; reading without it is impossible.
  FERRY_RETURN_IF_ERROR(RollBackHotJournal(path, busy_timeout_ms));
  return Open(path, "", SQLITE_OPEN_READONLY, busy_timeout_ms);
}

}  // namespace ferry::sqlite
