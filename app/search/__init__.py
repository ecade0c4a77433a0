"""Full-text search over what staff may read: published stories, sessions, indicators, questions."""
