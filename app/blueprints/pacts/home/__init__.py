"""Where each person starts in the pacts area: the resident's building (their stewards, the
pact in force, their signing, their building's standing) and the steward's day on a phone."""
