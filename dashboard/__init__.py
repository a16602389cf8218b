"""The war-room wall: a Dash app that reads the state the pipeline writes to Redis."""
