"""Signed resident links, captains' codes and the organiser's password."""

import pytest

from facilitation.domain.access import (
    check_password,
    hash_password,
    join_url,
    make_join_token,
    new_table_code,
    normalise_table_code,
    verify_join_token,
)
from facilitation.domain.errors import AccessDenied, InvalidInput

SECRET = "s3cret-for-tests"


def test_a_signed_token_grants_its_table():
    token = make_join_token(SECRET, "cafe42", 3)
    claim = verify_join_token(SECRET, token)
    assert (claim.cafe_id, claim.table_number) == ("cafe42", 3)


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "n'importe quoi",
        "cafe42.3",
        "cafe42.x.abc",
        make_join_token(SECRET, "cafe42", 3).replace(".3.", ".4."),  # another table
        make_join_token(SECRET, "cafe42", 3).replace("cafe42", "cafe43"),  # another café
        make_join_token("another-installation", "cafe42", 3),  # foreign link
        make_join_token(SECRET, "cafe42", 3)[:-2],  # truncated signature
    ],
)
def test_forged_altered_or_foreign_tokens_are_refused(token):
    with pytest.raises(AccessDenied, match="Ce lien n'est pas valable"):
        verify_join_token(SECRET, token)


def test_join_url_carries_the_token_on_the_public_base_url():
    token = make_join_token(SECRET, "cafe42", 3)
    assert join_url("http://192.168.1.20:8501/", token) == f"http://192.168.1.20:8501/j/{token}"


def test_table_codes_are_short_and_unambiguous():
    codes = {new_table_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 6 and not set(code) & set("01OIL") for code in codes)
    assert normalise_table_code(" ab c2d3 ") == "ABC2D3"


def test_password_hash_checks_and_never_contains_the_password():
    stored = hash_password("café-du-jeudi")
    assert "café" not in stored and stored.startswith("scrypt$")
    assert check_password("café-du-jeudi", stored)
    assert not check_password("cafe-du-jeudi", stored)
    assert not check_password("café-du-jeudi", "garbage")
    assert hash_password("café-du-jeudi") != stored  # salted


def test_short_passwords_are_refused():
    with pytest.raises(InvalidInput, match="au moins 8 caractères"):
        hash_password("court")
