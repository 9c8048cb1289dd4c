"""The specialised ledgers' pages."""

from shequ.ledgers.views import correction, mediation, relief  # noqa: F401
