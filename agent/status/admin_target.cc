#include "agent/status/admin_target.h"

#include "loaders/redact_url.h"
#include "loaders/registry.h"

namespace ferry {

Result<AdminTarget> OpenAdminTarget(const std::string& flag_value, bool read_only) {
  FERRY_ASSIGN_OR_RETURN(TargetSpec spec, ResolveTarget(flag_value));
  AdminTarget target;
  target.display = RedactUrl(spec.url);
  FERRY_ASSIGN_OR_RETURN(target.loader, MakeLoader(spec));
  Status checked = target.loader->Check(/*dry_run=*/read_only);
  if (!checked.ok()) {
    return checked;
  }
  return target;
}

}  // namespace ferry
