"""E-mail notifications: an outbox filled by the domain, emptied by a worker.

- ``outbox``: queue a message (never sends; safe inside any request's transaction).
- ``notices``: who is told what (partners, editors, action owners), in their language.
- ``delivery``: the worker that hands due messages to the SMTP server, with retries,
  backoff and a log of attempts (``duiding mail send``; the server runs it every minute).
"""
