"""Signing campaigns (三轮入户): a pact version put to the households of a unit, a building or
a community, in up to three rounds of door-to-door canvassing and online signatures, until
support reaches the threshold and the pact is adopted."""
