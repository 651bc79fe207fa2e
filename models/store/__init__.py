"""The project on disk: SQLite schema, store, transactions, queries, migrations, sync rows."""
