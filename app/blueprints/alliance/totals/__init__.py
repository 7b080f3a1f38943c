"""The alliance's totals (投资统计): investment and shops, upgraded and new, with charts and the
Excel export."""
