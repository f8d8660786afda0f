"""Demo and sample data."""
