"""Risk control together: identity links and the rules engine's tables.

Revision ID: 0042_risk_merge
Revises: 0040_risk_links, 0041_risk_rules
"""

revision = "0042_risk_merge"
down_revision = ("0040_risk_links", "0041_risk_rules")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
