"""Web accounts: create them (`sagsgang bruger opret`), check a password, find a user.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, RFC 9106 defaults) and never
stored or logged in clear. Checking a password for an unknown user costs the same as for a known
one (a dummy hash is verified), so timing does not tell which usernames exist.
"""

from __future__ import annotations

import re
from functools import cache

from sqlmodel import Session, select

from models import fields
from models.errors import Invalid
from models.users import Role, User
from sagsgang.inputs import UserError, read_line

MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,99}$")
MAX_PASSWORD_LENGTH = 1000


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
    if not _USERNAME.fullmatch(username):
        raise UserError(
            f"'{text}' kan ikke bruges som brugernavn. Brug 2–100 tegn: små bogstaver a–z, tal "
            "og . _ @ + -, fx meha eller meha@slagelse.dk.",
            "username",
        )
    return username


def check_password(password: str) -> str:
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn lang (mellemrum tæller ikke).", "password"
        )
    if len(password) > MAX_PASSWORD_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in password):
        raise UserError(
            f"Adgangskoden må højst være {MAX_PASSWORD_LENGTH} tegn og ingen styretegn indeholde.", "password"
        )
    return password


def check_name(text: str | None) -> str:
    """The full name shown in the web app: one line; given, it may not be blank."""
    return read_line(text, "name", "Navnet", fields.MAX_NAME, required=text is not None)


def check_email(text: str | None, given: bool = False) -> str:
    """The account's e-mail address; `given` (the user typed one) refuses a blank one."""
    try:
        return fields.email_address(text, "email", required=given)
    except Invalid as error:
        raise UserError(error.message, "email") from None


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
    email = check_email(email or (username if "@" in username else ""))
    name = check_name(name) if name else ""
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise UserError(f"Brugeren '{username}' findes allerede.", "username")
    user = User(
        username=username,
        role=role,
        name=name,
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
