"""Inspections under the responsibility system (包保责任制): a unit's steward or building leader
scores its corridor on their phone, and the scores rank units and buildings by month and by
quarter; the best of each community are named on the honour board (最美单元, 最美楼栋)."""
