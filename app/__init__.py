"""Duiding: figures read as signals, always next to the stories that explain them."""
