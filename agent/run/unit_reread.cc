#include "agent/run/unit_reread.h"

#include <memory>
#include <optional>
#include <utility>

#include "extractors/registry.h"

namespace ferry {

Result<UnitEntries> ReadUnitAgain(SourceSpec spec, const std::string& file) {
  spec.path = file;
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
  extractor->SetReporter([](const Location&, const Status&) {});
  FERRY_RETURN_IF_ERROR(extractor->Open());
  UnitEntries unit;
  for (; extractor->Valid(); extractor->Next()) {
    const Entry& entry = extractor->entry();
    if (unit.empty()) {
      std::optional<Extractor::UnitBytes> bytes = extractor->CurrentUnitBytes();
      if (bytes) unit.SetSourceBytes(bytes->digest, /*values_deferred=*/false, nullptr);
    }
    FERRY_RETURN_IF_ERROR(unit.Add(entry));
  }
  FERRY_RETURN_IF_ERROR(extractor->status());
  return unit;
}

void SetUnitBytes(const SourceSpec& spec, const std::string& file,
                  const Extractor::UnitBytes& bytes, UnitEntries* unit) {
  UnitEntries::Reloader reload;
  if (bytes.values_deferred) {
    reload = [spec, file] { return ReadUnitAgain(spec, file); };
  }
  unit->SetSourceBytes(bytes.digest, bytes.values_deferred, std::move(reload));
  if (bytes.entries_deferred) {
    unit->SetEntriesReader([spec, file](const UnitEntries::ProblemRecorder& report) {
      return ReadUnitKeys(spec, file, report);
    });
  }
}

Result<UnitEntries> ReadUnitKeys(SourceSpec spec, const std::string& file,
                                 const UnitEntries::ProblemRecorder& report) {
  spec.path = file;
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
  Status reported = Status::OK();
  extractor->SetReporter([&](const Location& where, const Status& problem) {
    Status s = report(where, problem);
    if (reported.ok()) reported = s;
  });
  extractor->SetDeferValues([] { return true; });
  // One file alone is not a folder: its damage fails Open() where the reading thread, reading
  // the folder, reported it and passed over the file. Said the same way here.
  Status opened = extractor->Open();
  if (!opened.ok()) {
    if (!opened.IsCorruption()) return opened;
    Location where;
    where.file = file;
    FERRY_RETURN_IF_ERROR(report(where, opened));
    return UnitEntries();
  }
  UnitEntries unit;
  for (; extractor->Valid(); extractor->Next()) {
    FERRY_RETURN_IF_ERROR(reported);
    const Entry& entry = extractor->entry();
    if (unit.empty()) {
      std::optional<Extractor::UnitBytes> bytes = extractor->CurrentUnitBytes();
      if (bytes) SetUnitBytes(spec, file, *bytes, &unit);
    }
    FERRY_RETURN_IF_ERROR(unit.Add(entry));
  }
  FERRY_RETURN_IF_ERROR(reported);
  FERRY_RETURN_IF_ERROR(extractor->status());
  return unit;
}

}  // namespace ferry
