"""The compute layer: worker processes and their slots, the audio they share, and the services
that turn their results into document changes (viewport, snapping, exports, playback)."""
