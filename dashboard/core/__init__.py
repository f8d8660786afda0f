"""Streamlit-free foundations: the vocabulary, department Scope, periods, formats, limits and typed calls."""
