#include "agent/run/assign_identities.h"

#include <catch2/catch.hpp>
#include <memory>

namespace ferry::assign_identities_test {

namespace {

// The id map of a target: the batch lookup of the entity being assigned answers "unknown";
// the lookup of one parent (a reference to a parent an earlier run loaded) fails with
// `parent_status`, as after the retrying loader gave up.
class ParentLookupLoader final : public Loader {
 public:
  Status Check(bool) override { return Status::OK(); }
  Status BeginRun(const RunInfo&) override { return Status::OK(); }
  Status EnsureSchema(const std::vector<const TableDef*>&) override { return Status::OK(); }
  Status LookupIdentities(const std::string& entity, const std::string&,
                          const std::vector<std::string>& ids,
                          std::vector<std::optional<KnownIdentity>>* out) override {
    out->assign(ids.size(), std::nullopt);
    if (entity == "environments") {
      ++parent_lookups;
      return parent_status;
    }
    ++own_lookups;
    return Status::OK();
  }
  Status FetchRows(const TableDef&, const std::vector<Row>& keys,
                   std::vector<std::optional<Row>>* out) override {
    out->assign(keys.size(), std::nullopt);
    return Status::OK();
  }
  Result<BatchOutcome> Write(const WriteBatch&) override { return BatchOutcome{}; }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }

  Status parent_status = Status::OK();
  int parent_lookups = 0;
  int own_lookups = 0;
};

// tasks: id (ulid, key), environment_id (a reference to environments, NULL when missing).
EntityMapping Tasks() {
  EntityMapping entity;
  entity.name = "tasks";
  entity.table.name = "tasks";
  entity.table.columns = {{"id", ColumnType::kUlid, false},
                          {"environment_id", ColumnType::kUlid, true}};
  entity.table.primary_key = {"id"};
  ColumnMapping id;
  id.def = entity.table.columns[0];
  id.source = ColumnSource::kUlid;
  ColumnMapping environment;
  environment.def = entity.table.columns[1];
  environment.field = "env";
  environment.references = "environments";
  environment.on_missing = OnMissingReference::kNull;
  entity.columns = {id, environment};
  return entity;
}

struct Assigning {
  EntityMapping entity = Tasks();
  std::string user = "u1";
  ParentLookupLoader loader;
  UlidGenerator ulids;
  ParentUlids parents;
  Entry entry;
  std::vector<Reject> rejects;

  Result<std::vector<AssignedRecord>> Run(const char* json, bool user_fresh = false,
                                          bool entity_fresh = false) {
    IdentityContext context;
    context.user_fresh = user_fresh;
    context.entity_fresh = entity_fresh;
    context.entity = &entity;
    context.user_id = &user;
    context.loader = &loader;
    context.ulids = &ulids;
    context.parents = &parents;
    context.reject = [this](const PendingRecord&, Reject reject) {
      rejects.push_back(std::move(reject));
      return Status::OK();
    };
    return AssignIdentities(context, Pending({json}));
  }

  // One pending record per JSON text, legacy ids t1, t2, ...
  std::vector<PendingRecord> Pending(const std::vector<const char*>& jsons) {
    std::vector<PendingRecord> pending;
    for (const char* json : jsons) {
      parsers.push_back(std::make_unique<simdjson::dom::parser>());
      PendingRecord record;
      record.record = parsers.back()->parse(std::string(json));
      record.legacy_id = "t" + std::to_string(pending.size() + 1);
      record.entry = &entry;
      pending.push_back(record);
    }
    return pending;
  }
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
};

}  // namespace

TEST_CASE("AssignIdentities: a parent lookup that fails is a failure, not a missing parent",
          "[agent][run]") {
  Assigning assigning;
  assigning.loader.parent_status = Status::Unavailable("connection lost (after 8 retries)");
  Result<std::vector<AssignedRecord>> assigned = assigning.Run(R"({"env": "e1"})");
  // With on_missing: null a missing parent is stored as NULL; an unknown one must stop the
  // batch, or the record goes in with a NULL reference and later runs skip it as known.
  REQUIRE_FALSE(assigned.ok());
  CHECK(assigned.status().IsUnavailable());
  CHECK_THAT(assigned.status().ToString(), Catch::Contains("environments e1"));
  CHECK(assigning.rejects.empty());
}

TEST_CASE("AssignIdentities: a parent the id map does not know is missing (on_missing: null)",
          "[agent][run]") {
  Assigning assigning;
  Result<std::vector<AssignedRecord>> assigned = assigning.Run(R"({"env": "e1"})");
  REQUIRE(assigned.ok());
  REQUIRE(assigned->size() == 1);
  CHECK(std::holds_alternative<std::monostate>((*assigned)[0].row.cells[1]));
  CHECK(assigning.loader.parent_lookups == 1);
}

TEST_CASE("AssignIdentities: a batch's parents are looked up together, once per parent entity",
          "[agent][run]") {
  // A database's table is a unit of its own: every parent comes from the id map, and a lookup
  // per distinct parent was a round trip each (issue 18: 14,000 for 50,000 rows).
  Assigning assigning;
  IdentityContext context;
  context.entity = &assigning.entity;
  context.user_id = &assigning.user;
  context.loader = &assigning.loader;
  context.ulids = &assigning.ulids;
  context.parents = &assigning.parents;
  context.reject = [](const PendingRecord&, Reject) { return Status::OK(); };
  Result<std::vector<AssignedRecord>> assigned = AssignIdentities(
      context, assigning.Pending({R"({"env": "e1"})", R"({"env": "e2"})", R"({"env": "e1"})",
                                  R"({"env": null})", R"({"env": 3})"}));
  REQUIRE(assigned.ok());
  CHECK(assigned->size() == 5);
  CHECK(assigning.loader.parent_lookups == 1);
  CHECK(assigning.parents.size() == 3);  // e1, e2, 3: each answered once
}

TEST_CASE("AssignIdentities: a user the target holds nothing of is not looked up in the id map",
          "[agent][run]") {
  // Loader::ProbeUser found no row of the user under its lock: the id map holds only what
  // this unit writes, and the unit knows its own parents.
  Assigning assigning;
  REQUIRE(assigning.parents.Put("environments", "e1", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
              .ok());  // this unit's
  Result<std::vector<AssignedRecord>> assigned = assigning.Run(R"({"env": "e1"})", true);
  REQUIRE(assigned.ok());
  REQUIRE(assigned->size() == 1);
  CHECK(std::get<std::string>((*assigned)[0].row.cells[1]) == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  CHECK_FALSE((*assigned)[0].known.has_value());
  CHECK_FALSE((*assigned)[0].identity.known);
  assigned = assigning.Run(R"({"env": "e9"})", true);  // not this unit's: missing
  REQUIRE(assigned.ok());
  REQUIRE(assigned->size() == 1);
  CHECK(std::holds_alternative<std::monostate>((*assigned)[0].row.cells[1]));
  CHECK(assigning.loader.parent_lookups == 0);
  CHECK(assigning.loader.own_lookups == 0);

  assigned = assigning.Run(R"({"env": "e8"})");  // a user the target holds: asked as before
  REQUIRE(assigned.ok());
  CHECK(assigning.loader.parent_lookups == 1);
  CHECK(assigning.loader.own_lookups == 1);
}

TEST_CASE("AssignIdentities: an entity the id map holds nothing of asks only for other parents",
          "[agent][run]") {
  // A database's tables are units of one user: the tables before this one made the user known,
  // but the id map holds nothing of this entity (its pass probed it under the user's lock), so
  // neither the batch's own legacy ids nor a reference to its own entity are asked for; a
  // parent of another entity still is.
  Assigning assigning;
  ColumnMapping parent;
  parent.def = {"parent_id", ColumnType::kUlid, true};
  parent.field = "parent";
  parent.references = "tasks";
  parent.on_missing = OnMissingReference::kNull;
  assigning.entity.table.columns.push_back(parent.def);
  assigning.entity.columns.push_back(parent);
  const char* record = R"({"env": "e1", "parent": "t9"})";
  Result<std::vector<AssignedRecord>> assigned =
      assigning.Run(record, /*user_fresh=*/false, /*entity_fresh=*/true);
  REQUIRE(assigned.ok());
  REQUIRE(assigned->size() == 1);
  CHECK(std::holds_alternative<std::monostate>((*assigned)[0].row.cells[2]));  // t9: not here
  CHECK_FALSE((*assigned)[0].identity.known);
  CHECK(assigning.loader.own_lookups == 0);
  CHECK(assigning.loader.parent_lookups == 1);

  assigning.parents.Clear();
  assigned = assigning.Run(record);  // not known to be fresh: asked as before
  REQUIRE(assigned.ok());
  CHECK(assigning.loader.own_lookups == 2);  // the batch's ids, then parent t9
  CHECK(assigning.loader.parent_lookups == 2);
}

}  // namespace ferry::assign_identities_test
