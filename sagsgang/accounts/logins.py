"""Web accounts: create them (`sagsgang bruger opret`), check a password, find a user.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, RFC 9106 defaults) and never
stored or logged in clear. Checking a password for an unknown user costs the same as for a known
one (a dummy hash is verified), so timing does not tell which usernames exist.
"""

from __future__ import annotations

import re
from functools import cache

from sqlmodel import Session, select

from models.users import Role, User
from sagsgang.inputs import UserError

MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("ingen-bruger-har-denne-adgangskode")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_username(text: str) -> str:
    username = text.strip().lower()
    if not _USERNAME.match(username):
        raise UserError(
            f"'{text}' kan ikke bruges som brugernavn. Brug 2–100 tegn: små bogstaver a–z, tal "
            "og . _ @ + -, fx meha eller meha@slagelse.dk.",
            "username",
        )
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn lang.", "password")
    return password


def read_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise UserError(
            f"'{text}' er ikke en rolle. Vælg sekretariat (må oprette og ændre) eller leder (må se og abonnere).",
            "role",
        ) from None


def create_user(
    session: Session,
    username: str,
    role: Role | str,
    password: str | None,
    name: str = "",
    email: str = "",
    municipality: str = "",
    admin: bool = False,
) -> User:
    """A new account of `municipality` (a profile key; '': sees every municipality). Without a
    password only single sign-on (the proxy header) can log it in. `admin`: a secretariat user
    who may manage the other users."""
    username = check_username(username)
    role = read_role(role) if isinstance(role, str) else role
    email = (email or (username if "@" in username else "")).strip()
    if email and not _EMAIL.match(email):
        raise UserError(f"'{email}' er ikke en gyldig e-mailadresse. Skriv den som fx meha@slagelse.dk.", "email")
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise UserError(f"Brugeren '{username}' findes allerede.", "username")
    user = User(
        username=username,
        role=role,
        name=name.strip(),
        email=email,
        password_hash=hash_password(check_password(password)) if password else "",
        municipality=municipality,
        admin=admin and role.may_write,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    """The active account with this username (case-insensitive), or None."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    return user if user is not None and user.active else None


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The account if the password is right, else None; the same work either way."""
    from argon2.exceptions import InvalidHashError, VerificationError

    user = find_user(session, username) if len(username) <= 100 else None
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash:
        return None
    if _hasher().check_needs_rehash(stored):  # parameters were raised since: upgrade on login
        user.password_hash = hash_password(password)
        session.add(user)
    return user
