"""The context of figures: external developments, and what each programme track expects."""
