"""Danish plurals, lists and alphabetical order, as a Danish reader expects them."""

from __future__ import annotations

from sagsgang.danish_words import count, join, sorted_danish


def test_one_case_is_singular_and_other_numbers_plural():
    assert count(1, "åben sag") == "1 åben sag"
    assert count(0, "åben sag") == "0 åbne sager"
    assert count(2, "påmindelse") == "2 påmindelser"
    assert count(1, "påmindelse") == "1 påmindelse"
    assert count(1500, "sag") == "1.500 sager"


def test_lists_end_with_og():
    assert join(["Byrådet"]) == "Byrådet"
    assert join(["Direktionen", "Byrådet"]) == "Direktionen og Byrådet"
    assert join(["A", "B", "C"]) == "A, B og C"


def test_ae_oe_aa_sort_after_z_and_aa_sorts_as_aa():
    names = ["Økonomiudvalget", "Omsorgsudvalget", "Byrådet", "Ældrerådet", "Aarhus", "Zoneudvalget", "Åbyhøj"]
    assert sorted_danish(names) == [
        "Byrådet",
        "Omsorgsudvalget",
        "Zoneudvalget",
        "Ældrerådet",
        "Økonomiudvalget",
        "Åbyhøj",  # Å + b before "Aa" + r: Aarhus is read Århus
        "Aarhus",
    ]
