"""The public HSDS 3 read API under /api/hsds: published, public directory data only."""
