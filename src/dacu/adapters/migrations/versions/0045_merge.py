"""Risk control together: identity links, the rules engine, the review desk and the
checks on every money path.

Revision ID: 0045
Revises: 0042_risk_merge, 0042_risk_wiring, 0043_risk_desk
"""

revision = "0045"
down_revision = ("0042_risk_merge", "0042_risk_wiring", "0043_risk_desk")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
