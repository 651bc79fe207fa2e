"""One adapter per remote annotation API, all speaking ``sync.adapters.base``."""
