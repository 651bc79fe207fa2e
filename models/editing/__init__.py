"""Edits as undoable commands, the history, the clipboard and the drawing tools."""
