"""Pages of the availability app: `overview` (home, compare) and `club` (one club's page)."""
