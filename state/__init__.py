"""The Redis state every stage shares: connection, the bundled server, and the key layout."""
