"""Pixels: image probing and decoding, tile pyramids and caches, thumbnails, mask operations."""
