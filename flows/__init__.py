"""The Prefect implementation of the orchestration port (sagsgang.orchestration; docs/architecture.md § 3):
flows.tasks (the steps of sagsgang.cases.steps and sagsgang.notifications.daily as tasks),
flows.lifecycle (launch, advance, meeting changed), flows.daily (the daily backstop),
flows.deployments (what `sagsgang worker` serves) and flows.orchestrator (the entry point).
"""

import os

# A municipality's case data stays home: no anonymous usage pings from the temporary local server
# (they also raced our runs for Prefect's own SQLite file and printed "database is locked").
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
