"""Notices (通知公告) to a community or chosen buildings, and who has read them."""
