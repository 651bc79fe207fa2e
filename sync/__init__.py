"""Qt-free sync engine, HTTP transport and one adapter per remote annotation server."""
