"""crisiswatch: the command line that wires the pipeline stages together."""
