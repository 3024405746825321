"""The files layer: reading and writing what lies on disk (audio, projects, exchange formats,
the recent list, PNG), and the demo recording. Imports app.document and app.base."""
