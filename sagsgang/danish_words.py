"""Danish words that depend on a number or on order: "1 sag" / "2 sager", "A, B og C", and
alphabetical order with Æ, Ø, Å after Z.

The rules come from CLDR, through libraries: babel's Danish plural rule (one: n = 1, or a
fraction such as 0,5 … is "other") and list pattern; ICU's Danish collation (PyICU), which also
sorts "Aa" as Å, as Danish dictionaries do. The word forms themselves are Danish text, kept here
in one table rather than spread through the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

T = TypeVar("T")

LOCALE = "da_DK"

# singular, plural: the forms after a number ("1 åben sag", "3 åbne sager").
FORMS: dict[str, tuple[str, str]] = {
    "sag": ("sag", "sager"),
    "åben sag": ("åben sag", "åbne sager"),
    "afsluttet sag": ("afsluttet sag", "afsluttede sager"),
    "lukket punkt": ("lukket punkt", "lukkede punkter"),
    "møde": ("møde", "møder"),
    "påmindelse": ("påmindelse", "påmindelser"),
    "eskalering": ("eskalering", "eskaleringer"),
    "fejl": ("fejl", "fejl"),
    "proces": ("proces", "processer"),
    "bruger": ("bruger", "brugere"),
    "arbejdsdag": ("arbejdsdag", "arbejdsdage"),
    "felt": ("felt", "felter"),
}


@cache
def _locale():
    from babel import Locale

    return Locale.parse(LOCALE)


def word(count: int, singular: str) -> str:
    """The form of `singular` (a key of FORMS) that goes after `count`: word(1, "sag") = "sag"."""
    one, other = FORMS[singular]
    return one if _locale().plural_form(count) == "one" else other


def count(number: int, singular: str) -> str:
    """`number` and the word in the right form, the number written the Danish way: "1.234 sager"."""
    from babel.numbers import format_decimal

    return f"{format_decimal(number, locale=LOCALE)} {word(number, singular)}"


def join(names: Iterable[str]) -> str:
    """A Danish list: "Byrådet", "Direktionen og Byrådet", "A, B og C"."""
    from babel.lists import format_list

    return format_list(list(names), style="standard", locale=LOCALE)


@cache
def _collator():
    import icu

    return icu.Collator.createInstance(icu.Locale(LOCALE))


def sort_key(text: str) -> bytes:
    """A key that orders text as a Danish reader expects (Økonomiudvalget after Zoneudvalget)."""
    return bytes(_collator().getSortKey(text))


def sorted_danish(items: Iterable[T], key: Callable[[T], str] = str, reverse: bool = False) -> list[T]:
    return sorted(items, key=lambda item: sort_key(key(item)), reverse=reverse)
