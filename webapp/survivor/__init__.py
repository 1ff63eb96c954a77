"""The survivor surface: the decoy at `/`, the pages behind its unlock code, and the PWA."""
