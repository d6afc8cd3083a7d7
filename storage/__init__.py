"""Storage: the SQLModel tables and the few named queries the daemon needs."""
