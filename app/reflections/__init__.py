"""Reflection sessions, their frozen snapshots, actions and the learning agenda."""
