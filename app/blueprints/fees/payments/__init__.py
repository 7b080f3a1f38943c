"""Payments at the counter, receipts, reversals, credit, the daily cash report."""
