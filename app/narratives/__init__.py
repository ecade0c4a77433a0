"""Story domain: safe rendering, submission, invite links, moderation and retention.

Nothing in this package imports FastAPI; routes stay thin wrappers around it.
"""
