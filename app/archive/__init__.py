"""Taking the data out and putting it back: export archives, restore, backups."""
