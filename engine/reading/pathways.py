"""The deployed pathways as the catalogue shows them: each one's current version with its lanes, rule sets,
measuring points and deadline indicators (read from the version's definition)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from engine.catalogue.versions import DefinitionCache
from engine.db.database import Database
from engine.db.models import PathwayVersion
from engine.errors import ErrorCode, NotFound

#: Every column of a version but its BPMN source, which the definition cache reads only on a miss.
_SUMMARY = load_only(PathwayVersion.id, PathwayVersion.pathway_key, PathwayVersion.name, PathwayVersion.type_code,
                     PathwayVersion.content_hash, PathwayVersion.deployed_at)


def list_pathways(db: Database, definitions: DefinitionCache) -> list[dict[str, Any]]:
    with db.reading() as session:
        versions = session.scalars(select(PathwayVersion).options(_SUMMARY)
                                   .where(PathwayVersion.is_current.is_(True))
                                   .order_by(PathwayVersion.pathway_key)).all()
        counts = dict(session.execute(select(PathwayVersion.pathway_key, func.count())
                                      .group_by(PathwayVersion.pathway_key)).all())
        return [pathway_view(v, counts.get(v.pathway_key, 1), definitions) for v in versions]


def pathway_choices(db: Database, definitions: DefinitionCache) -> list[dict[str, Any]]:
    """The deployed pathways as a filter offers them: key, name and lanes, in key order (one query; the lanes
    from the definition cache)."""
    with db.reading_connection() as conn:
        rows = conn.execute(select(PathwayVersion.id, PathwayVersion.pathway_key, PathwayVersion.name)
                            .where(PathwayVersion.is_current.is_(True)).order_by(PathwayVersion.pathway_key)).all()
    return [{"key": key, "name": name, "lanes": list(definitions.get(version_id).lanes)}
            for version_id, key, name in rows]


def get_pathway(db: Database, definitions: DefinitionCache, key: str) -> dict[str, Any]:
    with db.reading() as session:
        version = session.scalars(select(PathwayVersion).options(_SUMMARY)
                                  .where(PathwayVersion.pathway_key == key, PathwayVersion.is_current.is_(True))
                                  ).one_or_none()
        if version is None:
            raise NotFound(ErrorCode.PATHWAY_NOT_FOUND, f"no deployed pathway {key!r}")
        count = session.scalar(select(func.count()).where(PathwayVersion.pathway_key == key))
        return pathway_view(version, count or 1, definitions)


def pathway_view(version: PathwayVersion, version_count: int, definitions: DefinitionCache) -> dict[str, Any]:
    definition = definitions.get(version.id)
    return {
        "key": version.pathway_key, "name": version.name, "type_code": version.type_code,
        "version_id": version.id, "content_hash": version.content_hash, "deployed_at": version.deployed_at,
        "versions": version_count, "rule_set": definition.default_rule_set, "lanes": list(definition.lanes),
        "pathway_start": {rule_set: {"measuring_point": code, "outcomes": list(outcomes)}
                          for rule_set, (code, outcomes) in definition.pathway_start.items()},
        "measuring_points": sorted(definition.codes),
        "indicators": [
            {"key": i.key, "label": i.label, "from": i.from_point, "to": i.to_point, "limit": i.limit,
             "limit_field": i.limit_field, "unit": i.unit, "setting": i.setting, "severity": i.severity, "target_share": i.target_share,
             "target_unconfirmed": i.target_unconfirmed, "repeat": i.repeat, "deferrable": i.deferrable,
             "from_outcomes": list(i.from_outcomes),
             "source": i.source, "unconfirmed": i.unconfirmed, "note": i.note}
            for i in definition.indicators],
    }
