"""Command-line tools beside the server: preview, doctor and the demo data."""
