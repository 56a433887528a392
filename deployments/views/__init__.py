"""The deployments pages: venues and needs, the planner, assignments, coverage. Moves go through
deployments.transitions."""
