"""The public shop directory (商户名录) of each alliance."""
