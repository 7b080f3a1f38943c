"""One-window service requests (一门受理): filing, dispatch, progress, resolution, rating."""
