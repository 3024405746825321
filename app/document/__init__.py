"""The document layer: the state the window shows (file, view, partials, undo) as immutable
values, the store that swaps them, and the pure edits. Imports only app.base."""
