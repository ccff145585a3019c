"""The modeller's work on pathway files: the versions of a pathway, what changed between two of them, checking a
file before it is deployed (its lint report and what it would change), and deploying it (audited)."""

from __future__ import annotations

from typing import Any

from engine.access.policy import require_role
from engine.access.principals import ADMIN, MODELLER, Principal
from engine.catalogue.deployment import Deployed, deploy
from engine.catalogue.parser import content_hash, parse_pathway
from engine.errors import NotFound
from engine.modelling.version_diff import diff_versions
from engine.reading.versions import find_version, list_versions
from engine.runtime import PathwayRuntime

DEPLOYERS = (MODELLER, ADMIN)


def require_deployer(user: Principal) -> None:
    require_role(user, *DEPLOYERS)


def pathway_versions(runtime: PathwayRuntime, key: str) -> dict[str, Any]:
    """The pathway's versions, newest first, with the patients running on each."""
    versions = list_versions(runtime.db, key)
    current = next((v for v in versions if v["is_current"]), versions[0])
    return {"key": key, "name": current["name"], "current_version_id": current["version_id"], "versions": versions}


def compare_versions(runtime: PathwayRuntime, key: str, from_id: int, to_id: int) -> dict[str, Any]:
    """What changed from version `from_id` to `to_id` of the pathway."""
    old, new = find_version(runtime.db, key, from_id)["id"], find_version(runtime.db, key, to_id)["id"]
    changes = diff_versions(runtime.definition_of(old), runtime.definition_of(new))
    return {"key": key, "from_version_id": old, "to_version_id": new,
            "changes": [c.as_view() for c in changes]}


def check_file(runtime: PathwayRuntime, user: Principal, source: bytes, filename: str) -> dict[str, Any]:
    """Lint a file without deploying it; when it is valid, what it would change against the current version."""
    require_deployer(user)
    definition, problems = parse_pathway(source, filename)
    report: dict[str, Any] = {"filename": filename, "content_hash": content_hash(source),
                              "problems": [p.as_dict() for p in problems], "valid": definition is not None,
                              "pathway": definition.key if definition else None,
                              "name": definition.name if definition else None, "current_version_id": None,
                              "already_deployed_as": None, "changes": []}
    if definition is None:
        return report
    try:
        versions = list_versions(runtime.db, definition.key)
    except NotFound:
        return report  # a new pathway: nothing to compare with
    current = next(v for v in versions if v["is_current"])
    same = next((v for v in versions if v["content_hash"] == report["content_hash"]), None)
    report |= {"current_version_id": current["version_id"],
               "already_deployed_as": same["version_id"] if same else None,
               "changes": [c.as_view() for c in diff_versions(runtime.definition_of(current["version_id"]),
                                                              definition)]}
    return report


def deploy_file(runtime: PathwayRuntime, user: Principal, source: bytes, filename: str) -> Deployed:
    """Deploy the file as the pathway's new current version (lint errors refuse it); audited."""
    require_deployer(user)
    return deploy(runtime.db, runtime.clock, source, filename, deployed_by=user.id)

