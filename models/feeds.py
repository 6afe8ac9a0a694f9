"""Calendar feed subscriptions: personal feed tokens (stored as hashes)."""

from __future__ import annotations

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
