"""Metric functions, periods, exports and the command line of the dashboard."""
