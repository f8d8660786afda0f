"""The schema, its migrations, the engine and the embedded server: the database and nothing above it."""
