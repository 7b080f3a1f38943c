"""The steward boards (楼道管家公示牌): the public page of each unit, reached by its token from
the QR code at the entrance; the manager's list of a community's boards, preparing them,
re-issuing a token, and the A4 board printed one by one or all together as one PDF."""
