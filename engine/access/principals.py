"""Who may do what: API users, their roles and units, and the visibility of patient data.

Roles:
- `coordinator`: works the task lists of their own units; sees and changes only pathways in those units. Any
  other unit's task or pathway is reported as not found, so its existence is not revealed.
- `manager`: reads compliance figures (aggregates only, never a patient key); no patient data.
- `modeller`: reads and deploys pathway definitions and the catalogue; no patient data.
- `admin`: everything, including running the scheduler.

Tokens are random strings given to a user once (`pathways user add`); only their SHA-256 is stored. In dev mode
(PATHWAYS_AUTH_MODE=dev, set by `pathways-server --demo`) the fixed users in `DEV_USERS` are known as well, with
their tokens written in the README: never use dev mode with real patients.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from engine.db.database import Database
from engine.db.models import ApiUser
from engine.errors import ErrorCode, InvalidInput

COORDINATOR, MANAGER, MODELLER, ADMIN = "coordinator", "manager", "modeller", "admin"
ROLES = (COORDINATOR, MANAGER, MODELLER, ADMIN)


@dataclass(frozen=True)
class Principal:
    id: str
    name: str
    role: str
    units: tuple[str, ...] = ()

    @property
    def sees_patients(self) -> bool:
        return self.role in (COORDINATOR, ADMIN)

    def sees_unit(self, unit: str) -> bool:
        return self.role == ADMIN or (self.role == COORDINATOR and unit in self.units)

    def visible_units(self) -> tuple[str, ...] | None:
        """The units whose patients this principal may see; None = all (admin)."""
        if self.role == ADMIN:
            return None
        return self.units if self.role == COORDINATOR else ()


#: Dev-mode users, token -> principal. The units match the demo data (engine/demo/seed.py).
DEV_USERS: dict[str, Principal] = {
    "dev-koordinator-nord": Principal("koordinator-nord", "Kari Koordinator (DPS Nord)", COORDINATOR, ("DPS Nord",)),
    "dev-koordinator-sor": Principal("koordinator-sor", "Sindre Koordinator (DPS Sør)", COORDINATOR, ("DPS Sør",)),
    "dev-koordinator-bup": Principal("koordinator-bup", "Berit Koordinator (BUP Vest)", COORDINATOR, ("BUP Vest",)),
    "dev-koordinator-porsgrunn": Principal("koordinator-porsgrunn", "Per Koordinator (Porsgrunn kommune)", COORDINATOR,
                                           ("Porsgrunn kommune",)),
    "dev-koordinator-kragero": Principal("koordinator-kragero", "Kristin Koordinator (Kragerø kommune)", COORDINATOR,
                                         ("Kragerø kommune",)),
    "dev-leder": Principal("leder", "Lars Leder", MANAGER),
    "dev-modellerer": Principal("modellerer", "Mona Modellerer", MODELLER),
    "dev-admin": Principal("admin", "Ada Administrator", ADMIN),
}


def display_names(db: Database, user_ids: set[str]) -> dict[str, str]:
    """The names of these users, as a claim on a task is shown: the registered user's name, else the dev-mode
    user's (their ids are reserved for dev mode); an id that is neither is left out (shown as itself)."""
    if not user_ids:
        return {}
    with db.reading() as session:
        found = dict(session.execute(select(ApiUser.id, ApiUser.name).where(ApiUser.id.in_(user_ids))).all())
    dev = {p.id: p.name for p in DEV_USERS.values() if p.id in user_ids}
    return {**dev, **found}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_ACTIVE_USER_BY_TOKEN = select(ApiUser.id, ApiUser.name, ApiUser.role, ApiUser.units).where(
    ApiUser.token_hash == bindparam("token_hash"), ApiUser.active.is_(True))


class Users:
    """Looks up the principal behind a bearer token."""

    def __init__(self, db: Database, *, dev_mode: bool = False) -> None:
        self.db = db
        self.dev_mode = dev_mode

    def authenticate(self, token: str | None) -> Principal | None:
        if not token:
            return None
        if self.dev_mode and token in DEV_USERS:
            return DEV_USERS[token]
        with self.db.reading_statements() as conn:  # every request: one statement, no ORM session
            user = conn.execute(_ACTIVE_USER_BY_TOKEN, {"token_hash": token_hash(token)}).first()
        if user is None:
            return None
        return Principal(user.id, user.name, user.role, tuple(u for u in user.units.split("\n") if u))

    def dev_users(self) -> dict[str, Principal]:
        return dict(DEV_USERS) if self.dev_mode else {}

    def add(self, user_id: str, name: str, role: str, units: tuple[str, ...], now: datetime) -> str:
        """Create a user and return its token (shown once; only the hash is kept)."""
        if role not in ROLES:
            raise InvalidInput(ErrorCode.ROLE_INVALID, f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if role == COORDINATOR and not units:
            raise InvalidInput(ErrorCode.USER_UNITS_REQUIRED, "a coordinator needs at least one unit")
        if not user_id.strip() or len(user_id) > 100:
            raise InvalidInput(ErrorCode.USER_ID_INVALID, "the user id must be 1–100 characters")
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as session:
            if session.get(ApiUser, user_id) is not None:
                raise InvalidInput(ErrorCode.USER_EXISTS, f"there is already a user {user_id!r}")
            session.add(ApiUser(id=user_id, name=name or user_id, role=role, units="\n".join(units),
                                token_hash=token_hash(token), active=True, created_at=now))
        return token
