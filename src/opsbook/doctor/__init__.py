"""The readiness scorecard: the nine steps of an incident programme, each judged
pass, warn or fail from the repository, with the numbers and the file to change.

``from opsbook.doctor import scorecard``; ``card = scorecard(kb, now)``;
``card.passed``, ``card.total``, ``card.items`` (``.title``, ``.status``,
``.why``, ``.file``). Load the knowledge base with at least ``KINDS``.
"""

from opsbook.doctor.card import KINDS, STEPS, scorecard
from opsbook.doctor.model import STATUSES, Item, Scorecard, Status

__all__ = ["KINDS", "STEPS", "STATUSES", "Item", "Scorecard", "Status", "scorecard"]
