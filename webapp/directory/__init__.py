"""The resource directory (HSDS 3)."""
