"""Bad values, as a careless or hostile user types them: control characters, blank or endless
text, journal numbers that are not KLE, e-mail addresses that are not addresses, dates that are not
dates or lie outside 1990–2100, numbers that overflow. Free text is drawn without ASCII letters,
so an English word in an answer is ours, never the input echoed."""

from __future__ import annotations

import string

from hypothesis import strategies as st

JOURNAL = "27.00.00-G01-1-27"
CONTROL = ["\n", "\r", "\r\n", "\x00", "\t", "\x1b", "\x7f", "\u200b", "\u202e", "\x85", "\u2028"]
_FREE = st.characters(exclude_characters=string.ascii_letters, exclude_categories=("Cs",))
free_text = st.text(_FREE, max_size=20)


def with_control(base: st.SearchStrategy[str] = free_text) -> st.SearchStrategy[str]:
    """`base` with a control character somewhere inside (not only at its ends, where trimming removes
    white space such as a trailing newline — a journal number's is tested on its own)."""
    return st.builds(lambda a, c, b: f"x{a}{c}{b}x", base, st.sampled_from(CONTROL), base)


blank = st.integers(1, 30).map(lambda n: " " * n)
too_long = st.integers(501, 4000).map(lambda n: "ø" * n)
bad_line = st.one_of(with_control(), too_long)
bad_required_line = st.one_of(bad_line, blank, st.just(""))

bad_journal = st.one_of(
    st.integers(7, 5000).map(lambda n: f"27.00.00-G01-{'1' * n}-27"),  # serial beyond six digits
    st.builds(lambda i, c: JOURNAL[:i] + c + JOURNAL[i:], st.integers(1, len(JOURNAL) - 1), st.sampled_from(CONTROL)),
    st.sampled_from(
        ["27.00.00-g01-1-27", "27.00.00-G01--27", "27.00-G01-1-27", "27.00.00-G01-1-2027", "٢٧.00.00-G01-1-27"]
    ),
    st.text(st.sampled_from("0123456789.-/ æ"), max_size=30),
    st.just(JOURNAL + "\n\x00"),
)
bad_email = st.one_of(
    free_text.map(lambda s: s.replace("@", "") + "slagelse.dk"),  # no @
    st.sampled_from(["meha@@slagelse.dk", "meha@", "@slagelse.dk", "me ha@slagelse.dk", "meha@slagelse", "meha@.dk"]),
    with_control().map(lambda s: f"me{s}ha@slagelse.dk"),
    st.integers(65, 400).map(lambda n: "m" * n + "@slagelse.dk"),  # a local part beyond RFC 5321's 64
    st.just(" "),
)
_day_month = st.tuples(st.integers(1, 28), st.integers(1, 12))
bad_date = st.one_of(
    st.builds(
        lambda dm, y: f"{dm[0]:02d}-{dm[1]:02d}-{y:04d}", _day_month, st.integers(1, 1989) | st.integers(2101, 9999)
    ),
    st.builds(
        lambda dm, y: f"{y:04d}-{dm[1]:02d}-{dm[0]:02d}", _day_month, st.integers(1, 1989) | st.integers(2101, 9999)
    ),
    st.sampled_from(["31-02-2027", "30-02-2027", "00-01-2027", "32-01-2027", "29-02-2027", "2027-13-01", "", " "]),
    st.text(st.sampled_from("0123456789-./ ø"), max_size=14).filter(lambda s: s.count("-") != 2),
    with_control().map(lambda s: f"01-03{s}-2027"),
)
bad_time = st.one_of(
    st.sampled_from(["25:00", "12:60", "24:00", "-1:00", "9", "kl."]),
    st.text(st.sampled_from("0123456789:. "), max_size=8).filter(lambda s: ":" not in s and "." not in s),
)
huge_number = st.one_of(st.integers(10**9, 10**40), st.integers(-(10**40), -1)).map(str)
bad_password = st.one_of(
    st.integers(12, 60).map(lambda n: " " * n),  # long enough, but only spaces
    st.text(_FREE, max_size=11).map(lambda s: s.replace("\n", "")),  # too short
    with_control(st.text(st.sampled_from("abcdefghij0123456789"), min_size=12, max_size=20)).map(
        lambda s: s.replace("\n", "").replace("\r", "") + "\x07"
    ),
)
bad_username = st.one_of(
    st.just(""),
    blank,
    with_control(),
    st.integers(101, 300).map(lambda n: "m" * n),
    st.sampled_from(["Æble", "-meha", "meha/..", "m"]),
)
unknown_key = st.text(st.sampled_from("0123456789_-æøå"), min_size=1, max_size=12)
