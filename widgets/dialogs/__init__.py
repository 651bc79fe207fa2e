"""Dialogs that edit one thing: a class, the window/level of an image."""
