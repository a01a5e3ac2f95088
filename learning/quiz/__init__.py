"""The quiz engine: drawing questions, scoring on the server, attempts, xAPI."""
