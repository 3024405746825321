"""Soma's main process: window, bridge, document, workers, progress."""
