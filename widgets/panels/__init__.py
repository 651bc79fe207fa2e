"""The docked panels: images, classes, annotations, attributes, review and sync."""
