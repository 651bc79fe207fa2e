"""The image canvas: the view, its items, layers for dense scenes, masks and tiles, the minimap."""
