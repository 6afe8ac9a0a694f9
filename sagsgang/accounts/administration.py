"""Managing accounts from the web app: an administrator (a secretariat user with the admin flag)
lists, creates, deactivates and reactivates the users of their own municipality, sets their role
and gives them a new password; every user changes their own password.

Each function writes in the caller's session and raises UserError (Danish) on bad input, before
anything is written. The administrator types a first (or reset) password and tells the user, who
then changes it under Min konto.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.users import Role, User
from sagsgang.accounts.logins import authenticate, check_password, create_user, hash_password, read_role
from sagsgang.danish_words import sorted_danish
from sagsgang.inputs import UserError


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    name: str
    email: str
    role: Role
    admin: bool
    active: bool


def accounts(session: Session, municipality: str) -> list[Account]:
    """The users of the municipality, in Danish alphabetical order of name (or username)."""
    rows = session.exec(select(User).where(User.municipality == municipality).order_by(col(User.id))).all()
    found = [Account(u.id, u.username, u.name, u.email, u.role, u.admin, u.active) for u in rows if u.id is not None]
    return sorted_danish(found, key=lambda a: a.name or a.username)


def _user(session: Session, municipality: str, user_id: int) -> User:
    row = session.get(User, user_id)
    if row is None or row.municipality != municipality:
        raise LookupError(user_id)
    return row


def add(
    session: Session, municipality: str, username: str, name: str, email: str, role: str, admin: bool, password: str
) -> User:
    """A new user of the municipality with the first password the administrator chose."""
    if not email.strip():
        raise UserError("Skriv brugerens e-mailadresse: påmindelser og den personlige kalender går dertil.", "email")
    return create_user(session, username, read_role(role), check_password(password), name, email, municipality, admin)


def set_active(session: Session, municipality: str, user_id: int, active: bool, by: int) -> User:
    row = _user(session, municipality, user_id)
    if row.id == by and not active:
        raise UserError("Du kan ikke deaktivere dig selv. Bed en anden administrator om det.")
    row.active = active
    session.add(row)
    return row


def set_role(session: Session, municipality: str, user_id: int, role: str, admin: bool, by: int) -> User:
    row = _user(session, municipality, user_id)
    chosen = read_role(role)
    if row.id == by and not (admin and chosen.may_write):
        raise UserError("Du kan ikke fjerne din egen administratorret. Bed en anden administrator om det.")
    row.role, row.admin = chosen, admin and chosen.may_write
    session.add(row)
    return row


def reset_password(session: Session, municipality: str, user_id: int, password: str) -> User:
    """A new password for the user, chosen by the administrator; the old one stops working."""
    row = _user(session, municipality, user_id)
    row.password_hash = hash_password(check_password(password))
    session.add(row)
    return row


def change_own_password(session: Session, username: str, current: str, new: str, repeated: str) -> None:
    """The user's own new password, after the current one is given correctly."""
    if authenticate(session, username, current) is None:
        raise UserError("Den nuværende adgangskode er forkert.", "current")
    if new != repeated:
        raise UserError("De to nye adgangskoder er ikke ens.", "repeated")
    if new == current:
        raise UserError("Den nye adgangskode skal være en anden end den nuværende.", "new")
    row = session.exec(select(User).where(User.username == username)).one()
    row.password_hash = hash_password(check_password(new))
    session.add(row)
