"""The outbox: one row per side effect (reminder mail, escalation), sent exactly once."""

from __future__ import annotations

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
