"""Steward assignments (楼道管家): each unit's property steward and building leader on its
board, with their history, posted one unit, a building or a whole community at a time, and
the coverage the managers and the district office watch."""
