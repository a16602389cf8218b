"""Pure detection logic: event-time windows, distinct voices, baselines, the severity ladder.

No I/O and no imports from the project's other packages, so every rule is testable alone.
"""
