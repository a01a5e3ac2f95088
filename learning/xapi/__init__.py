"""xAPI 1.0.3: building statements (tincan) and storing them in our own LRS."""
