"""The Learning Record Store: the xAPI 1.0.3 HTTP API over our statement store."""
