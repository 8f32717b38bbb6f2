"""The double-entry journal partitioned by month of `at` on PostgreSQL (SQLite: plain).

`journal_entries` and `journal_postings` share the partition key — a posting
carries its entry's time — so a posting refers to its entry by (entry_id, at),
inside one month, and a statement line to its posting by (posting_id, at).
The natural key, which must post once over every month, moves to a plain
`journal_keys` table, claimed by a trigger before an entry's row goes in: an
entry whose key is taken is skipped, as `INSERT … ON CONFLICT DO NOTHING`
skipped it, and racing posts of one key queue on the key's index. A deleted
entry gives its key back; the key column never changes.

Revision ID: 0060
Revises: 0059
"""

from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

from dacu.adapters.partition_ddl import drop_partitioned, to_partitioned, to_plain

revision = "0060"
down_revision = "0059"
branch_labels = None
depends_on = None

_CLAIM = """
CREATE FUNCTION journal_keys_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO journal_keys (key, entry_id, at) VALUES (NEW.key, NEW.id, NEW.at)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;  -- posted already: skipped, as ON CONFLICT DO NOTHING did
    END IF;
    RETURN NEW;
END $$
"""

_RELEASE = """
CREATE FUNCTION journal_keys_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('dacu.moving_rows', true) = 'on' THEN
        RETURN OLD;  -- moved between partitions by `dacu db partitions`: still stored
    END IF;
    DELETE FROM journal_keys WHERE key = OLD.key;
    RETURN OLD;
END $$
"""

_FIXED = """
CREATE FUNCTION journal_keys_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a journal entry''s id and key do not change'
        USING ERRCODE = 'integrity_constraint_violation';
END $$
"""

_UP = (
    "ALTER TABLE journal_entries ADD CONSTRAINT pk_journal_entries PRIMARY KEY (id, at)",
    "CREATE INDEX ix_journal_entries_key ON journal_entries (key)",
    "ALTER TABLE journal_postings ADD CONSTRAINT pk_journal_postings PRIMARY KEY (id, at)",
    "CREATE INDEX ix_journal_postings_entry_id ON journal_postings (entry_id)",
    "CREATE INDEX ix_journal_postings_account ON journal_postings (account, campaign_id)",
    "CREATE INDEX ix_journal_postings_campaign ON journal_postings (campaign_id, account)",
    "ALTER TABLE journal_postings ADD CONSTRAINT fk_journal_postings_entry_id_journal_entries"
    " FOREIGN KEY (entry_id, at) REFERENCES journal_entries (id, at)",
    "ALTER TABLE statement_lines ADD CONSTRAINT fk_statement_lines_posting_id_journal_postings"
    " FOREIGN KEY (posting_id, at) REFERENCES journal_postings (id, at)",
    _CLAIM,
    _RELEASE,
    _FIXED,
    "CREATE TRIGGER journal_entries_claim_key BEFORE INSERT ON journal_entries"
    " FOR EACH ROW EXECUTE FUNCTION journal_keys_claim()",
    "CREATE TRIGGER journal_entries_release_key AFTER DELETE ON journal_entries"
    " FOR EACH ROW EXECUTE FUNCTION journal_keys_release()",
    "CREATE TRIGGER journal_entries_key_fixed BEFORE UPDATE OF id, key ON journal_entries"
    " FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.key IS DISTINCT FROM NEW.key)"
    " EXECUTE FUNCTION journal_keys_fixed()",
)

_DOWN = (
    "DROP TABLE journal_keys",
    "DROP FUNCTION journal_keys_claim()",
    "DROP FUNCTION journal_keys_release()",
    "DROP FUNCTION journal_keys_fixed()",
    "ALTER TABLE journal_entries ADD CONSTRAINT pk_journal_entries PRIMARY KEY (id)",
    "ALTER TABLE journal_entries ADD CONSTRAINT uq_journal_entries_key UNIQUE (key)",
    "ALTER TABLE journal_postings ADD CONSTRAINT pk_journal_postings PRIMARY KEY (id)",
    "CREATE INDEX ix_journal_postings_entry_id ON journal_postings (entry_id)",
    "CREATE INDEX ix_journal_postings_account ON journal_postings (account, campaign_id)",
    "CREATE INDEX ix_journal_postings_campaign ON journal_postings (campaign_id, account)",
    "ALTER TABLE journal_postings ADD CONSTRAINT fk_journal_postings_entry_id_journal_entries"
    " FOREIGN KEY (entry_id) REFERENCES journal_entries (id)",
    "ALTER TABLE statement_lines ADD CONSTRAINT fk_statement_lines_posting_id_journal_postings"
    " FOREIGN KEY (posting_id) REFERENCES journal_postings (id)",
)


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "CREATE TABLE journal_keys (key varchar(200) NOT NULL, entry_id bigint NOT NULL,"
            " at timestamptz NOT NULL, CONSTRAINT pk_journal_keys PRIMARY KEY (key))"
        )
    )
    connection.execute(text("INSERT INTO journal_keys SELECT key, id, at FROM journal_entries"))
    connection.execute(
        text(
            "ALTER TABLE statement_lines"
            " DROP CONSTRAINT fk_statement_lines_posting_id_journal_postings"
        )
    )
    now = datetime.now(UTC)
    old_entries = to_partitioned(connection, "journal_entries", now)
    old_postings = to_partitioned(connection, "journal_postings", now)
    connection.execute(text(f"DROP TABLE {old_postings}"))
    connection.execute(text(f"DROP TABLE {old_entries}"))
    for statement in _UP:
        connection.execute(text(statement))


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        text(
            "ALTER TABLE statement_lines"
            " DROP CONSTRAINT fk_statement_lines_posting_id_journal_postings"
        )
    )
    old_entries = to_plain(connection, "journal_entries")
    old_postings = to_plain(connection, "journal_postings")
    drop_partitioned(connection, old_postings)
    drop_partitioned(connection, old_entries)
    for statement in _DOWN:
        connection.execute(text(statement))
