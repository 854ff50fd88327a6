"""Pure planning algorithms: group formation, rotation and re-planning (no Flask)."""
