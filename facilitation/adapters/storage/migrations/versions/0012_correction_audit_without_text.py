"""audit log without text: who did what and when, never what a resident wrote

Rows logged before kept text derived from residents' words: a captain's correction its « avant : … ;
après : … », a harvest its note (which quotes topic labels), a fiche its title (a topic label, or a
field fiche's title). Corrections now say « texte corrigé »; the notes and titles are blanked (new
rows carry the fiche's reference instead). Data only. SQLite overwrites the old bytes at once
(secure_delete, storage/engine.py); PostgreSQL keeps them in dead tuples until the next erasure's
VACUUM FULL (storage/erasure.py).
"""

from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.execute("UPDATE audit_log SET details = 'texte corrigé' WHERE details LIKE 'avant : «%'")
    op.execute("UPDATE audit_log SET details = '' WHERE action = 'récolte enregistrée'")
    op.execute(
        "UPDATE audit_log SET target = '' WHERE action IN "
        "('fiche de terrain créée', 'fiche commentée', 'décision sur une fiche', 'fiche modifiée')"
    )


def downgrade() -> None:
    pass  # the texts are gone for good, as intended
