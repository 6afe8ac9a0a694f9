"""Case content for agendas and minutes: texts, indstilling points, attachments (bilag)."""

from __future__ import annotations

import models.tables  # noqa: F401  (naming convention on SQLModel.metadata first)
