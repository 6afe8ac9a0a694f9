"""The case lifecycle: launch, state, decisions, routing and re-planning, following the route."""
