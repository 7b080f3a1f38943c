"""Fee items and rates, parking spaces, monthly billing runs, late fees."""
