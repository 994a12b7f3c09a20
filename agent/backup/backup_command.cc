#include "agent/backup/backup_command.h"

#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include "agent/backup/archive_options.h"
#include "agent/exit_codes_help.h"
#include "backup/backup_reader.h"
#include "backup/backup_store.h"
#include "backup/backup_writer.h"
#include "backup/restore.h"

namespace ferry {

namespace {

constexpr char kExitCodes[] =
    "0 done; 1 failed (verify, restore: the archive is damaged or cut, or the key is wrong); "
    "2 usage or configuration error (restore: a file exists without --force, an unsafe entry "
    "name; no key found)";

std::string Dir(const BackupOptions& options) {
  return options.backup_dir.empty() ? backup::DefaultBackupDir() : options.backup_dir;
}

int Fail(std::string_view command, const Status& status, std::ostream& err) {
  err << "ferry backup " << command << ": " << status.ToString() << "\n";
  return ExitCodeFor(status);
}

std::string Time(uint64_t unix_seconds) {
  auto t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// The archive named by options.id, and the key its header asks for.
Status OpenKey(const BackupOptions& options, const backup::KeyEnvironment& env, std::string* path,
               backup::KeyMaterial* key) {
  FERRY_ASSIGN_OR_RETURN(*path, backup::ArchivePath(Dir(options), options.id));
  if (!std::filesystem::exists(*path)) {
    return Status::NotFound("no backup " + options.id + " (" + *path + ")");
  }
  FERRY_ASSIGN_OR_RETURN(backup::ArchiveInfo info, backup::PeekArchive(*path));
  FERRY_ASSIGN_OR_RETURN(*key,
                         backup::ResolveKeyForReading(info.header.key_kind, options.key, env));
  return Status::OK();
}

}  // namespace

int RunBackupList(const BackupOptions& options, std::ostream& out, std::ostream& err) {
  Result<std::vector<backup::StoredArchive>> archives = backup::ListArchives(Dir(options));
  if (!archives.ok()) {
    return Fail("list", archives.status(), err);
  }
  for (const backup::StoredArchive& archive : *archives) {
    if (!archive.status.ok()) {
      out << archive.id << "  unreadable: " << archive.status.message() << "\n";
      continue;
    }
    const backup::ArchiveInfo& info = archive.info;
    out << archive.id << "  run " << (info.header.run_id.empty() ? "-" : info.header.run_id) << "  "
        << Time(info.header.created_unix) << "  ";
    if (info.has_summary) {
      out << info.sources << (info.sources == 1 ? " file, " : " files, ") << info.source_bytes
          << " bytes";
      if (!info.sources_in.empty()) out << " (held by " << info.sources_in << ")";
    } else {
      out << "? files";
    }
    out << "  " << info.file_bytes << " bytes on disk";
    if (!info.finished) out << "  incomplete";
    if (archive.rolled_back) out << "  rolled back";
    out << "\n";
  }
  return 0;
}

int RunBackupCreate(const BackupOptions& options, const backup::KeyEnvironment& env,
                    std::ostream& out, std::ostream& err) {
  std::string dir = Dir(options);
  Status status = backup::EnsureBackupDir(dir);
  if (!status.ok()) {
    return Fail("create", status, err);
  }
  std::string generated;
  Result<backup::KeyMaterial> key = backup::ResolveKeyForWriting(options.key, env, &generated);
  if (!key.ok()) {
    return Fail("create", key.status(), err);
  }
  if (!generated.empty()) {
    err << "ferry backup: made a new backup key in " << generated
        << " - keep this: the backup cannot be read without it\n";
  }
  std::string id = backup::NewArchiveId(std::chrono::system_clock::now());
  std::string path = *backup::ArchivePath(dir, id);
  auto writer = backup::BackupWriter::Create(path, *key, {});
  if (!writer.ok()) {
    return Fail("create", writer.status(), err);
  }
  std::vector<std::string> skipped;
  for (const std::string& source : options.sources) {
    status = (*writer)->AddSource(source, &skipped);
    if (!status.ok()) break;
  }
  if (status.ok()) status = (*writer)->Finish();
  if (!status.ok()) {
    writer->reset();
    std::filesystem::remove(path);  // never leave half an archive that looks like a backup
    return Fail("create", status, err);
  }
  for (const std::string& link : skipped) {
    err << "ferry backup create: skipped " << link << " (a link or special file)\n";
  }
  // Read back before saying it is there: a backup that cannot be read is no backup.
  auto reader = backup::BackupReader::Open(path, *key);
  backup::ReadOutcome outcome;
  status = reader.ok() ? (*reader)->Read(nullptr, &outcome) : reader.status();
  if (!status.ok()) {
    return Fail("create", status.WithContext("reading back " + path), err);
  }
  out << "created " << id << ": " << outcome.files << " files, " << outcome.source_bytes
      << " bytes, in " << path << "\n";
  return 0;
}

int RunBackupVerify(const BackupOptions& options, const backup::KeyEnvironment& env,
                    std::ostream& out, std::ostream& err) {
  std::string path;
  backup::KeyMaterial key;
  Status status = OpenKey(options, env, &path, &key);
  if (!status.ok()) {
    return Fail("verify", status, err);
  }
  auto reader = backup::BackupReader::Open(path, key);
  backup::ReadOutcome outcome;
  status = reader.ok() ? (*reader)->Read(nullptr, &outcome) : reader.status();
  if (outcome.sources_complete && !outcome.sources_in.empty()) {
    // A resumed run's archive: its sources are those of the run's archive it names.
    backup::BackupVisitor none;
    std::string warning, holder;
    Status held = backup::SourcesHolder(path, key, &none, &warning, &holder);
    if (!held.ok()) {
      outcome.sources_complete = false;
      if (status.ok()) status = held;
    }
  }
  std::string sources = outcome.sources_complete ? "sources verified" : "sources NOT verified";
  if (!outcome.sources_in.empty()) sources += " in " + outcome.sources_in;
  out << options.id << ": " << sources << " (" << outcome.files << " files, "
      << outcome.source_bytes << " bytes), " << outcome.pre_image_records
      << " pre-image records in " << outcome.pre_image_sections << " complete sections"
      << (outcome.finished ? ", finished" : "") << "\n";
  if (!status.ok()) {
    return Fail("verify", status, err);
  }
  return 0;
}

int RunBackupRestore(const BackupOptions& options, const backup::KeyEnvironment& env,
                     std::ostream& out, std::ostream& err) {
  std::string path;
  backup::KeyMaterial key;
  Status status = OpenKey(options, env, &path, &key);
  if (!status.ok()) {
    return Fail("restore", status, err);
  }
  backup::RestoreOutcome outcome;
  status = backup::RestoreArchive(path, key, {options.to, options.force}, &outcome);
  for (const std::string& written : outcome.written) {
    out << "restored " << written << "\n";
  }
  if (!outcome.warning.empty()) {
    err << "ferry backup restore: the sources verified, but past them: " << outcome.warning << "\n";
  }
  if (!status.ok()) {
    return Fail("restore", status, err);
  }
  out << "restored " << outcome.written.size() << " files from " << options.id << "\n";
  return 0;
}

int RunBackupPrune(const BackupOptions& options, std::ostream& out, std::ostream& err) {
  if (options.keep_days < 0) {
    return Fail("prune", Status::InvalidArgument("--keep-days N is required"), err);
  }
  std::string dir = Dir(options);
  Result<std::vector<backup::StoredArchive>> archives = backup::ListArchives(dir);
  if (!archives.ok()) {
    return Fail("prune", archives.status(), err);
  }
  for (const backup::PruneDecision& decision :
       backup::PlanPrune(*archives, options.keep_days, std::time(nullptr), options.force)) {
    const backup::StoredArchive& archive = *decision.archive;
    if (!decision.remove) {
      out << "kept " << archive.id << ": " << decision.reason << "\n";
      continue;
    }
    std::error_code ec;
    std::filesystem::remove(archive.path, ec);
    if (ec) {
      return Fail("prune", Status::IOError(archive.path + ": " + ec.message()), err);
    }
    std::filesystem::remove(dir + "/" + archive.id + ".rolled-back", ec);
    out << "removed " << archive.id << ": " << decision.reason << "\n";
  }
  return 0;
}

void AddBackupCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<BackupOptions>();
  CLI::App* cmd = root.add_subcommand(
      "backup",
      "Encrypted backups of sources, the way back (README \"The way back\"). Archives live in "
      "--backup-dir, else $XDG_DATA_HOME/ferry/backups, else ~/.local/share/ferry/backups");
  cmd->require_subcommand(1);
  SetExitCodesHelp(cmd, kExitCodes);
  AddArchiveOptions(cmd, &options->backup_dir, &options->key);
  cmd->fallthrough();

  CLI::App* list = cmd->add_subcommand(
      "list", "One archive a line: its id, run, time (UTC), sources, size; needs no key");
  SetExitCodesHelp(list, kExitCodes);
  list->callback(
      [options, exit_code]() { *exit_code = RunBackupList(*options, std::cout, std::cerr); });

  CLI::App* create = cmd->add_subcommand(
      "create",
      "Back up files and folders (links inside are skipped and named), then read "
      "the archive back to verify it");
  SetExitCodesHelp(create, kExitCodes);
  create->add_option("SOURCE", options->sources, "Files or folders")->required();
  create->callback([options, exit_code]() {
    *exit_code = RunBackupCreate(*options, backup::KeyEnvironment::Process(), std::cout, std::cerr);
  });

  CLI::App* verify = cmd->add_subcommand(
      "verify", "Check every chunk, checksum and the manifest of an archive; writes nothing");
  SetExitCodesHelp(verify, kExitCodes);
  verify->add_option("ID", options->id, "An archive id (from list), or a path to an archive")
      ->required();
  verify->callback([options, exit_code]() {
    *exit_code = RunBackupVerify(*options, backup::KeyEnvironment::Process(), std::cout, std::cerr);
  });

  CLI::App* restore = cmd->add_subcommand(
      "restore",
      "Give the sources back byte for byte, after verifying the whole archive: to "
      "where they were, or under --to DIR. Never replaces a file without --force; "
      "refuses entries that would leave the folder (absolute, .., links). A resumed "
      "run's archive that lists its sources gives them from the run's first archive");
  SetExitCodesHelp(restore, kExitCodes);
  restore->add_option("ID", options->id, "An archive id (from list), or a path to an archive")
      ->required();
  restore->add_option("--to", options->to, "Restore under this folder instead");
  restore->add_flag("--force", options->force, "Replace files that exist");
  restore->callback([options, exit_code]() {
    *exit_code =
        RunBackupRestore(*options, backup::KeyEnvironment::Process(), std::cout, std::cerr);
  });

  CLI::App* prune = cmd->add_subcommand(
      "prune",
      "Remove archives older than --keep-days N whose run was rolled back or that a "
      "newer finished archive of the same sources supersedes, but never one holding the "
      "sources of a kept archive (a resumed run's); --force removes every archive older "
      "than N days");
  SetExitCodesHelp(prune, kExitCodes);
  prune->add_option("--keep-days", options->keep_days, "Keep archives younger than N days")
      ->required()
      ->check(CLI::NonNegativeNumber);
  prune->add_flag("--force", options->force, "Also remove archives that are a run's only way back");
  prune->callback(
      [options, exit_code]() { *exit_code = RunBackupPrune(*options, std::cout, std::cerr); });
}

}  // namespace ferry
