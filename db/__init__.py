"""Schema, migrations, the engine and validated writes."""
