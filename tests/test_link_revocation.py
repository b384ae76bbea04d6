"""Printed resident links stop working when revoked: one table's, all of a café's, or every link
once the secret that signs them changes. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from facilitation.adapters.storage import open_store
from facilitation.domain.access import verify_join_token
from facilitation.domain.errors import AccessDenied
from facilitation.services import cafes, contributions
from tests.conftest import committed, make_cafe, resident, token_of


def test_revoking_a_table_link_refuses_its_old_qr_code_only(store):
    cafe, _ = make_cafe(store)
    old_one, old_two = token_of(store, cafe, 1), token_of(store, cafe, 2)
    cafes.revoke_links(store, cafe.id, 1)
    with pytest.raises(AccessDenied, match="n'est plus valable"):
        contributions.join_table(store, old_one)
    assert contributions.join_table(store, old_two).table.number == 2
    assert contributions.join_table(store, token_of(store, cafe, 1)).accepting  # the new card works
    cafes.revoke_links(store, cafe.id)
    with pytest.raises(AccessDenied):
        resident(store, old_two, "Encore là ?")
    assert committed(store).contributions.in_cafe(cafe.id) == []


def test_cafe_link_secret_signs_the_links_and_changing_it_refuses_the_old_ones(database_url):
    configured = open_store(database_url, link_secret="s" * 40)
    cafe, _ = make_cafe(configured)
    token = token_of(configured, cafe)
    assert verify_join_token("s" * 40, token).table_number == 1  # not the secret kept in the base
    assert contributions.join_table(configured, token).table.number == 1
    rotated = open_store(database_url, link_secret="t" * 40)
    with pytest.raises(AccessDenied):
        contributions.join_table(rotated, token)
    assert contributions.join_table(rotated, token_of(rotated, cafe)).accepting
    for store in (configured, rotated):
        store.engine.dispose()


def test_rotating_the_stored_link_secret_refuses_every_printed_link(store):
    cafe, _ = make_cafe(store)
    old = token_of(store, cafe)
    with store:
        store.trust.rotate_link_secret()
    with pytest.raises(AccessDenied):
        contributions.join_table(store, old)
    assert contributions.join_table(store, token_of(store, cafe)).accepting
