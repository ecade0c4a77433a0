"""Passwords, API tokens, CSRF tokens and signed links: the secrets Duiding handles."""
