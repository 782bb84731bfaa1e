"""Sealing connector tokens: bound to their workspace, and rotatable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from bot.tenancy.vault import Unreadable, Vault
from tests.harness import KEY_NEW, KEY_OLD


def test_a_sealed_token_opens_for_its_own_team_only() -> None:
    vault = Vault([KEY_NEW])
    sealed = vault.seal("T0ACME", "secret-connector-token")

    assert "secret-connector-token" not in sealed
    assert vault.open("T0ACME", sealed) == "secret-connector-token"
    with pytest.raises(Unreadable, match="another workspace"):
        vault.open("T0GLOBEX", sealed)  # a row copied to another team is not a connection


def test_a_token_sealed_with_another_key_or_tampered_does_not_open() -> None:
    sealed = Vault([KEY_OLD]).seal("T0ACME", "secret-connector-token")
    with pytest.raises(Unreadable, match="no key"):
        Vault([KEY_NEW]).open("T0ACME", sealed)
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(Unreadable):
        Vault([KEY_OLD]).open("T0ACME", tampered)
    with pytest.raises(Unreadable):
        Vault([KEY_OLD]).open("T0ACME", "not even base64 ✓")


def test_rotation_opens_with_any_key_and_reseals_with_the_newest() -> None:
    old_only, both, new_only = Vault([KEY_OLD]), Vault([KEY_NEW, KEY_OLD]), Vault([KEY_NEW])
    sealed = old_only.seal("T0ACME", "secret-connector-token")

    assert both.open("T0ACME", sealed) == "secret-connector-token"
    resealed = both.reseal(sealed)
    assert new_only.open("T0ACME", resealed) == "secret-connector-token"
    with pytest.raises(Unreadable):
        old_only.open("T0ACME", resealed)


def test_new_seals_use_the_first_key() -> None:
    sealed = Vault([KEY_NEW, KEY_OLD]).seal("T0ACME", "token-value")
    assert Fernet(KEY_NEW).decrypt(sealed.encode())


@given(team=st.text(min_size=1, max_size=30), token=st.text(min_size=1, max_size=200))
def test_any_team_and_token_round_trip(team: str, token: str) -> None:
    vault = Vault([KEY_NEW])
    assert vault.open(team, vault.seal(team, token)) == token
