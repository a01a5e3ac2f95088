"""Learning analytics: what research on teaching reads from the learning records."""
